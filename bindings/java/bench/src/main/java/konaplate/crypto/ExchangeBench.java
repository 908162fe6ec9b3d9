package konaplate.crypto;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A whole exchange on the seed route (prepare, accept, respond, finish), from Java and by the
 * core alone ({@code Native.benchExchange}, the same steps with no JVM between them), side by
 * side in one run: their ratio is the cost of the binding.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ExchangeBench {
    static final int BATCH = 1000;

    Keyring keys;
    TokenSigner signer;
    RouteTable routes;
    KonaClient client;
    KonaServer server;
    byte[] path;

    @Setup
    public void setUp() {
        keys = Keyring.fromJwks(BenchSupport.jwksText());
        signer = new TokenSigner(BenchSupport.utf8("sandboxSecretKey0001"));
        routes = RouteTable.fromJson(BenchSupport.ROUTES);
        client = KonaClient.builder("000170000002000", signer, keys, routes)
                .accessKey("K".repeat(40)).cryptoKeyId(BenchSupport.KEY_B).build();
        server = KonaServer.builder(signer, keys, routes).build();
        path = BenchSupport.utf8(BenchSupport.CANCEL);
    }

    @TearDown
    public void tearDown() {
        client.close();
        server.close();
        routes.close();
        signer.close();
        keys.close();
    }

    @Benchmark
    public byte[] exchangeJava() {
        try (PreparedRequest request = client.prepare("POST", BenchSupport.CANCEL, BenchSupport.SEED_REQUEST);
                AcceptedRequest accepted = server.accept("POST", BenchSupport.CANCEL, request.headers(),
                        request.body())) {
            PreparedResponse response = server.respond(accepted, BenchSupport.SEED_RESPONSE);
            return client.finish(request, response.headers(), response.body());
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long exchangeCore() {
        long c = client.handle.acquire();
        try {
            long s = server.handle.acquire();
            try {
                return Native.benchExchange(c, s, path, BenchSupport.SEED_REQUEST,
                        BenchSupport.SEED_RESPONSE, BATCH);
            } finally {
                server.handle.release();
            }
        } finally {
            client.handle.release();
        }
    }
}
