package dev.tollgate.controlplane.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A PostgreSQL connection as JDBC wants it, read from LiteLLM's {@code general_settings.database_url}
 * ({@code postgresql://user:password@host:port/database?sslmode=require}, also {@code postgres://}) or
 * from a JDBC URL. Any other database is refused: Tollgate keeps keys and spend only in PostgreSQL.
 *
 * @param jdbcUrl  {@code jdbc:postgresql://host:port/database[?params]}, without credentials
 * @param user     the user from the URL, or empty
 * @param password the password from the URL, or empty; never part of {@link #toString()}
 */
public record DatabaseUrl(String jdbcUrl, String user, String password) {

    public DatabaseUrl {
        user = user == null ? "" : user;
        password = password == null ? "" : password;
    }

    /**
     * Parses {@code url}; {@code path} names the field in messages. The message of a refusal never
     * contains the password.
     */
    public static DatabaseUrl parse(String url, String path) {
        String text = url == null ? "" : url.strip();
        if (text.startsWith("jdbc:postgresql:")) {
            return new DatabaseUrl(text, "", "");
        }
        int colon = text.indexOf("://");
        String scheme = colon < 0 ? "" : text.substring(0, colon);
        if (!scheme.equals("postgresql") && !scheme.equals("postgres")) {
            throw new ConfigLoader.ConfigException(path + ": a " + (scheme.isEmpty() ? "URL without a scheme" : scheme
                    + ":// URL") + " (expected: postgresql://user:password@host:5432/database; Tollgate stores keys and "
                    + "spend only in PostgreSQL)");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigLoader.ConfigException(path + ": not a valid URL at index " + e.getIndex()
                    + " (expected: postgresql://user:password@host:5432/database; percent-encode special characters "
                    + "in the password)");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new ConfigLoader.ConfigException(path + ": no host (expected: postgresql://user:password@host:5432/"
                    + "database)");
        }
        String user = "";
        String password = "";
        String info = uri.getRawUserInfo();
        if (info != null) {
            int sep = info.indexOf(':');
            user = decode(sep < 0 ? info : info.substring(0, sep));
            password = sep < 0 ? "" : decode(info.substring(sep + 1));
        }
        String database = uri.getRawPath() == null || uri.getRawPath().length() <= 1 ? "postgres" : uri.getRawPath().substring(1);
        String jdbc = "jdbc:postgresql://" + hostPort(uri) + "/" + database
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new DatabaseUrl(jdbc, user, password);
    }

    private static String hostPort(URI uri) {
        String host = uri.getHost().contains(":") && !uri.getHost().startsWith("[") ? "[" + uri.getHost() + "]" : uri.getHost();
        return uri.getPort() < 0 ? host : host + ":" + uri.getPort();
    }

    private static String decode(String part) {
        return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** How the connection reads in logs and {@code config check}: no password. */
    public String describe() {
        return jdbcUrl + (user.isEmpty() ? "" : " as " + user);
    }

    @Override
    public String toString() {
        return "DatabaseUrl[" + describe() + "]";
    }
}
