package dev.crosschain.collateral.domain;

import java.time.Instant;
import java.util.Optional;

/**
 * Who may stream a chain now: one adapter stream per chain at a time, so that withdrawal instructions reach one
 * adapter only and the stored cursor is the one of that adapter's events. The lease belongs to a stream (not to a
 * replica): a replica cannot know whether another replica's stream is alive, so a lease that is not released ends
 * only by expiry.
 *
 * @param epoch   rises with every claim; a stream holding an older epoch was taken over (fencing)
 * @param session the stream holding the lease; empty when released
 * @param until   when the lease expires unless extended; empty when released
 */
public record ChainLease(String chainId, long epoch, Optional<String> session, Optional<Instant> until) {

    public static final String CHAIN_OWNED = "CHAIN_OWNED";

    /** A new stream may claim the chain: nobody holds it, or the holder let its lease expire. */
    public boolean claimable(Instant now) {
        return session.isEmpty() || until.isEmpty() || !until.get().isAfter(now);
    }

    /** The stream {@code session} that claimed epoch {@code heldEpoch} still owns the chain (expired or not). */
    public boolean heldBy(String heldSession, long heldEpoch) {
        return epoch == heldEpoch && session.filter(heldSession::equals).isPresent();
    }

    /** Refusal of a hello while another stream holds the lease. */
    public PreconditionException owned(String chainId) {
        return new PreconditionException(CHAIN_OWNED, chainId, "chain " + chainId + " is streamed by another adapter"
                + " stream (lease epoch " + epoch + "); its lease expires at " + until.map(Instant::toString).orElse("?")
                + " unless that stream goes on: retry after it");
    }

    /** Failure of an event on a stream whose lease was taken over: the event changes nothing. */
    public static PreconditionException takenOver(String chainId, long heldEpoch) {
        return new PreconditionException(CHAIN_OWNED, chainId, "this stream's lease on " + chainId + " (epoch "
                + heldEpoch + ") expired and was taken over by another adapter stream: the event was not applied");
    }
}
