/**
 * The HTTP hooks, each a thin shell over {@link konaplate.crypto.KonaClient} or {@link
 * konaplate.crypto.KonaServer}: {@link konaplate.crypto.http.KonaInterceptor} for OkHttp 4,
 * {@link konaplate.crypto.http.KonaHttpClient} for {@code java.net.http}, {@link
 * konaplate.crypto.http.KonaRestInterceptor} for Spring's {@code RestClient} and {@code
 * RestTemplate}, and {@link konaplate.crypto.http.KonaFilter}, a Jakarta Servlet filter. Each
 * hook's library is an optional dependency of this jar: a user of one needs none of the others.
 *
 * <p>The client hooks sign the request, protect its body as its route says, send it, check the
 * answer's {@code X-KM-Correlation-Id} and hand back the answer with its clear body. An answer
 * that is not a success and carries no {@code X-KM-Correlation-Id} (a proxy's 502, say) is handed
 * back as received: it came from no KONA PLATE server.
 */
package konaplate.crypto.http;
