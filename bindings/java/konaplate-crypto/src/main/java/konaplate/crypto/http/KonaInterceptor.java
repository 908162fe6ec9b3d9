package konaplate.crypto.http;

import java.io.IOException;
import java.util.Objects;
import konaplate.crypto.ErrorKind;
import konaplate.crypto.KonaClient;
import konaplate.crypto.KonaException;
import konaplate.crypto.PreparedRequest;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;

/**
 * An OkHttp 4 {@link Interceptor}: signs each request and protects its body as its route says,
 * then checks the answer and hands it back with its clear body. Add it as an application
 * interceptor:
 *
 * <pre>{@code
 * OkHttpClient http = new OkHttpClient.Builder()
 *         .addInterceptor(new KonaInterceptor(client))
 *         .build();
 * }</pre>
 *
 * A one-shot (streaming) request body is refused before anything is sent: the token signs the
 * whole body. A failure of the library reaches the caller as an {@link IOException} whose cause
 * is the {@link KonaException} (OkHttp delivers only those to an asynchronous call's callback).
 */
public final class KonaInterceptor implements Interceptor {
    private final KonaClient client;

    /** An interceptor for {@code client}. */
    public KonaInterceptor(KonaClient client) {
        this.client = Objects.requireNonNull(client, "client is null");
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        RequestBody body = request.body();
        byte[] bytes = new byte[0];
        MediaType type = null;
        if (body != null) {
            if (body.isOneShot() || body.isDuplex()) {
                throw failure(new KonaException(ErrorKind.STREAMING_BODY,
                        "a one-shot or duplex request body cannot be signed: the token covers the "
                                + "whole body; send a byte array or a string"));
            }
            Buffer buffer = new Buffer();
            body.writeTo(buffer);
            bytes = buffer.readByteArray();
            type = body.contentType();
        }
        PreparedRequest prepared;
        try {
            prepared = client.prepare(request.method(), Hook.target(request.url().uri()), bytes);
        } catch (KonaException e) {
            throw failure(e);
        }
        try (prepared) {
            Request.Builder signed = request.newBuilder();
            prepared.headers().forEach(signed::header);
            if (body != null) {
                signed.method(request.method(), RequestBody.create(prepared.body(), type));
            }
            Response response = chain.proceed(signed.build());
            if (!Hook.fromPlatform(response.code(), response.headers().toMultimap())) {
                return response;
            }
            byte[] answer;
            MediaType answerType;
            try (ResponseBody received = response.body()) {
                answer = received == null ? new byte[0] : received.bytes();
                answerType = received == null ? null : received.contentType();
            }
            byte[] clear;
            try {
                clear = client.finish(prepared, response.headers().toMultimap(), answer);
            } catch (KonaException e) {
                throw failure(e);
            }
            Response.Builder opened = response.newBuilder();
            for (String stale : Hook.STALE) {
                opened.removeHeader(stale);
            }
            return opened.body(ResponseBody.create(clear, answerType)).build();
        }
    }

    private static IOException failure(KonaException e) {
        return new IOException(e.getMessage(), e);
    }
}
