package dev.crosschain.margin.domain.history;

/** A price history file that cannot be used as it is; names the 1-based line at fault (0 = the file as a whole). */
public class MalformedHistoryException extends RuntimeException {

    private final String source;
    private final int line;

    public MalformedHistoryException(String source, int line, String problem) {
        super(source + (line > 0 ? " line " + line : "") + ": " + problem);
        this.source = source;
        this.line = line;
    }

    public String source() {
        return source;
    }

    public int line() {
        return line;
    }
}
