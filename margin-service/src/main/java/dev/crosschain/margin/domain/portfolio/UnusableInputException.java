package dev.crosschain.margin.domain.portfolio;

/**
 * The scenario engine refused data margin-service got from upstream (a NaN P&L, a canonical symbol that is
 * not an underlying, an index <= 0): not the caller's fault, so never INVALID_ARGUMENT. The account's own
 * view takes the conservative fallback ({@link PortfolioAccount#fallback}); anything else answers INTERNAL.
 */
public class UnusableInputException extends RuntimeException {

    public UnusableInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
