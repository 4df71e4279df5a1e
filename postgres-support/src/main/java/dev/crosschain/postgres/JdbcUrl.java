package dev.crosschain.postgres;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The parts of a {@code jdbc:postgresql://host[:port]/database[?params]} URL that we use. */
public record JdbcUrl(String host, int port, String database) {

    private static final Pattern FORM = Pattern.compile("jdbc:postgresql://([^:/?]+)(?::(\\d+))?/([^?]+)(\\?.*)?");

    public static JdbcUrl parse(String url) {
        Matcher m = FORM.matcher(url.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected jdbc:postgresql://host[:port]/database, got " + url);
        }
        int port = m.group(2) == null ? 5432 : Integer.parseInt(m.group(2));
        return new JdbcUrl(m.group(1), port, m.group(3));
    }
}
