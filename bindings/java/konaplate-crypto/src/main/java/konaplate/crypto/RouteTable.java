package konaplate.crypto;

import java.util.Objects;

/**
 * The routes of the API and how each protects its messages: marked fields, an {@code encData}
 * envelope, or nothing; which take a query string; which are callbacks. Read from the route
 * table's JSON (the library's {@code routes/seed.json} is the seed page's).
 */
public final class RouteTable extends NativeObject {
    private RouteTable(long address) {
        super(address, Native::routesFree, "RouteTable");
    }

    /**
     * The route table of {@code json}.
     *
     * @throws KonaException {@link ErrorKind#INVALID_ROUTES} naming what is wrong
     */
    public static RouteTable fromJson(String json) {
        Objects.requireNonNull(json, "json is null");
        return new RouteTable(Native.routesFromJson(Wire.utf8(json)));
    }

    @Override
    public String toString() {
        return "RouteTable";
    }
}
