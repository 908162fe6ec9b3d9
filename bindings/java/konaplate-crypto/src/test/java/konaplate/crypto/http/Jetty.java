package konaplate.crypto.http;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import konaplate.crypto.AcceptedRequest;
import konaplate.crypto.KonaServer;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * An embedded Jetty on 127.0.0.1 with {@link KonaFilter} in front of a handler that plays the
 * platform: the cancel route answers the seed response (or a body that is not JSON for userId
 * 999, which its route cannot protect); the PAN route echoes what it got.
 */
final class Jetty implements AutoCloseable {
    static final String SEED_RESPONSE = "{\"code\":\"000_000\",\"message\":\"Success.\","
            + "\"mobileCardNo\":\"9410123412341234\",\"par\":\"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0\"}";

    final AtomicInteger handled = new AtomicInteger();
    final AtomicReference<String> seenBody = new AtomicReference<>();
    final AtomicReference<Map<?, ?>> seenHeaders = new AtomicReference<>();
    /** The accepted request's correlation id and route parameters, read while it is live. */
    final AtomicReference<String> seenCorrelationId = new AtomicReference<>();
    final AtomicReference<Map<String, String>> seenParams = new AtomicReference<>();
    private final Server jetty = new Server();
    private final ServerConnector connector = new ServerConnector(jetty);

    Jetty(KonaServer server, int maxBody) throws Exception {
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addFilter(new FilterHolder(new KonaFilter(server, maxBody)), "/*",
                EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
                handled.incrementAndGet();
                String body = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                seenBody.set(body);
                seenHeaders.set((Map<?, ?>) req.getAttribute(KonaFilter.HEADERS));
                AcceptedRequest accepted = (AcceptedRequest) req.getAttribute(KonaFilter.REQUEST);
                seenCorrelationId.set(accepted.correlationId());
                seenParams.set(accepted.route().params());
                res.setContentType("application/json");
                if (req.getRequestURI().endsWith("/pan")) {
                    res.getOutputStream().write(("{\"got\":" + body + "}").getBytes(StandardCharsets.UTF_8));
                } else if (body.contains("\"userId\":999")) {
                    res.getWriter().write("this is not JSON: 9410123412341234");
                } else {
                    res.getWriter().write(SEED_RESPONSE);
                }
            }
        }), "/*");
        jetty.setHandler(context);
        jetty.start();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + path);
    }

    @Override
    public void close() throws IOException {
        try {
            jetty.stop();
        } catch (Exception e) {
            throw new IOException("Jetty did not stop", e);
        }
    }
}
