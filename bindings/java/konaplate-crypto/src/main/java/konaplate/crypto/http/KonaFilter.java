package konaplate.crypto.http;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import konaplate.crypto.AcceptedRequest;
import konaplate.crypto.ErrorKind;
import konaplate.crypto.KonaException;
import konaplate.crypto.KonaServer;
import konaplate.crypto.PreparedResponse;
import konaplate.crypto.RequestHead;

/**
 * A Jakarta Servlet {@link Filter} for a service provider receiving the platform's callbacks or
 * serving the API. For each request it checks the head first (route, {@code X-KM-*} headers,
 * token time, key), refuses a declared {@code Content-Length} over the limit, reads the body to
 * the limit, accepts it (MAC, body opened, replay guard), and hands the handler a request whose
 * body is the clear one, with the {@link AcceptedRequest} as the attribute {@value #REQUEST} and
 * its verified {@code X-KM-*} headers as {@value #HEADERS}. The handler's answer is protected as
 * the route says. The {@link AcceptedRequest} is closed once the answer is sent: read from it
 * during the request, not from work that outlives it.
 *
 * <p>A refusal answers {@code {"code","message"}} with the failure's status (400, 401, 404, 413,
 * 503), and the handler never runs. An answer the route cannot protect is a bare 500 ({@code
 * internal_error}): a clear answer is never sent on a protected route.
 *
 * <pre>{@code
 * ServletContextHandler context = new ServletContextHandler();
 * context.addFilter(new FilterHolder(new KonaFilter(server)), "/*",
 *         EnumSet.of(DispatcherType.REQUEST));
 * }</pre>
 */
public final class KonaFilter implements Filter {
    /** The request attribute holding the {@link AcceptedRequest}. */
    public static final String REQUEST = "konaplate.crypto.AcceptedRequest";
    /** The request attribute holding the verified {@code X-KM-*} headers, a {@code Map<String,String>}. */
    public static final String HEADERS = "konaplate.crypto.VerifiedHeaders";
    /** The default limit on a request body: 1 MiB. */
    public static final int DEFAULT_MAX_BODY = 1 << 20;

    private final KonaServer server;
    private final int maxBody;

    /** A filter over {@code server}, reading bodies of at most 1 MiB. */
    public KonaFilter(KonaServer server) {
        this(server, DEFAULT_MAX_BODY);
    }

    /** A filter over {@code server}, reading bodies of at most {@code maxBody} bytes. */
    public KonaFilter(KonaServer server, int maxBody) {
        this.server = Objects.requireNonNull(server, "server is null");
        if (maxBody < 0) {
            throw new IllegalArgumentException("maxBody is negative: " + maxBody);
        }
        this.maxBody = maxBody;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            chain.doFilter(req, res);
            return;
        }
        String query = request.getQueryString();
        String target = query == null ? request.getRequestURI() : request.getRequestURI() + "?" + query;
        AcceptedRequest accepted;
        try (RequestHead head = server.checkHead(request.getMethod(), target, headers(request))) {
            long declared = request.getContentLengthLong();
            if (declared > maxBody) {
                refuse(response, tooLarge(), true);
                return;
            }
            byte[] body;
            try {
                body = read(request.getInputStream());
            } catch (IOException e) {
                refuse(response, new KonaException(ErrorKind.UNREADABLE_BODY,
                        "the request body could not be read"), true);
                return;
            }
            if (body == null) {
                refuse(response, tooLarge(), true);
                return;
            }
            accepted = server.acceptBody(head, body);
        } catch (KonaException e) {
            refuse(response, e, false);
            return;
        }
        try (accepted) {
            Clear clear = new Clear(request, accepted);
            Buffered buffered = new Buffered(response);
            chain.doFilter(clear, buffered);
            byte[] answer = buffered.body();
            PreparedResponse protectedAnswer;
            try {
                protectedAnswer = server.respond(accepted, answer);
            } catch (KonaException e) {
                internalError(response);
                return;
            }
            response.setStatus(buffered.status());
            protectedAnswer.headers().forEach(response::setHeader);
            byte[] sent = protectedAnswer.body();
            response.setContentLength(sent.length);
            response.getOutputStream().write(sent);
        }
    }

    private KonaException tooLarge() {
        return new KonaException(ErrorKind.TOO_LARGE,
                "the request body is over the server's limit of " + maxBody + " bytes");
    }

    /** The request's headers, each value its own entry (a header sent twice is seen twice). */
    private static Map<String, List<String>> headers(HttpServletRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Enumeration<String> names = request.getHeaderNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            headers.put(name, Collections.list(request.getHeaders(name)));
        }
        return headers;
    }

    /** The whole body, or null past the limit (reading stops there). */
    private byte[] read(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[16 * 1024];
        for (int n; (n = in.read(chunk)) != -1; ) {
            if (out.size() + n > maxBody) {
                return null;
            }
            out.write(chunk, 0, n);
        }
        return out.toByteArray();
    }

    private static void refuse(HttpServletResponse response, KonaException e, boolean close)
            throws IOException {
        send(response, e.httpStatus(), e.refusalBody(), close);
    }

    private static void internalError(HttpServletResponse response) throws IOException {
        send(response, 500, KonaException.internalErrorBody(), false);
    }

    private static void send(HttpServletResponse response, int status, byte[] body, boolean close)
            throws IOException {
        response.reset();
        response.setStatus(status);
        response.setContentType("application/json");
        if (close) {
            // The rest of a body not read is not read: the connection goes.
            response.setHeader("Connection", "close");
        }
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** The request as the handler sees it: the clear body, the accepted request as attributes. */
    private static final class Clear extends HttpServletRequestWrapper {
        private final byte[] body;

        Clear(HttpServletRequest request, AcceptedRequest accepted) {
            super(request);
            this.body = accepted.body();
            request.setAttribute(REQUEST, accepted);
            request.setAttribute(HEADERS, accepted.headers());
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the clear body is read synchronously");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }

    /** The answer as the handler writes it: held here until it is protected. */
    private static final class Buffered extends HttpServletResponseWrapper {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private PrintWriter writer;
        private ServletOutputStream stream;
        private int status = 200;

        Buffered(HttpServletResponse response) {
            super(response);
        }

        int status() {
            return status;
        }

        byte[] body() {
            if (writer != null) {
                writer.flush();
            }
            return out.toByteArray();
        }

        @Override
        public void setStatus(int sc) {
            status = sc;
        }

        @Override
        public int getStatus() {
            return status;
        }

        @Override
        public void sendError(int sc) {
            status = sc;
            out.reset();
        }

        @Override
        public void sendError(int sc, String msg) {
            sendError(sc);
        }

        @Override
        public void setContentLength(int len) {}

        @Override
        public void setContentLengthLong(long len) {}

        @Override
        public void flushBuffer() {}

        @Override
        public void resetBuffer() {
            out.reset();
        }

        @Override
        public void reset() {
            out.reset();
            status = 200;
            super.reset();
        }

        @Override
        public ServletOutputStream getOutputStream() {
            if (writer != null) {
                throw new IllegalStateException("getWriter() was called");
            }
            if (stream == null) {
                stream = new ServletOutputStream() {
                    @Override
                    public void write(int b) {
                        out.write(b);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        out.write(b, off, len);
                    }

                    @Override
                    public boolean isReady() {
                        return true;
                    }

                    @Override
                    public void setWriteListener(WriteListener listener) {
                        throw new IllegalStateException("the answer is written synchronously");
                    }
                };
            }
            return stream;
        }

        @Override
        public PrintWriter getWriter() {
            if (stream != null) {
                throw new IllegalStateException("getOutputStream() was called");
            }
            if (writer == null) {
                String encoding = getCharacterEncoding();
                Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
                writer = new PrintWriter(new OutputStreamWriter(out, charset));
            }
            return writer;
        }
    }
}
