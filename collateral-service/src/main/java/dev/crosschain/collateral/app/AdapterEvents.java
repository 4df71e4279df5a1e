package dev.crosschain.collateral.app;

import dev.crosschain.collateral.domain.AlertedRejection;
import dev.crosschain.collateral.domain.BlockHeaderEvent;
import dev.crosschain.collateral.domain.ChainSpec;
import dev.crosschain.collateral.domain.DepositEvent;
import dev.crosschain.collateral.domain.EventOutcome;
import dev.crosschain.collateral.domain.FinalityRule;
import dev.crosschain.collateral.domain.InvalidInputException;
import dev.crosschain.collateral.domain.PreconditionException;
import dev.crosschain.collateral.domain.StoredBlock;
import dev.crosschain.collateral.domain.Violation;
import dev.crosschain.collateral.domain.WithdrawalResultEvent;
import dev.crosschain.collateral.domain.WireText;
import dev.crosschain.collateral.store.AdapterStore;
import dev.crosschain.collateral.store.ChainLeases;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;

/**
 * Use cases of the chain adapter stream. Consecutive events of a stream are committed in one transaction before
 * their acks are returned; a refused event changes nothing but the chain's cursor and is answered REJECTED.
 */
@ApplicationScoped
public class AdapterEvents {

    private static final Logger LOG = Logger.getLogger(AdapterEvents.class);
    public static final String PROTOCOL_VIOLATION = "PROTOCOL_VIOLATION";

    private final Registry registry;
    private final AdapterStore store;
    private final LedgerChanges changes;
    private final Callers callers;
    private final ChainLeases leases;
    private final CollateralConfig config;

    public AdapterEvents(Registry registry, AdapterStore store, LedgerChanges changes, Callers callers,
                         ChainLeases leases, CollateralConfig config) {
        this.registry = registry;
        this.store = store;
        this.changes = changes;
        this.callers = callers;
        this.leases = leases;
        this.config = config;
    }

    /**
     * What the service answers a hello: the chain, the cursor to resume after and the stored tip (empty: no block);
     * and the chain's lease the stream now holds (its events are fenced by it, see {@link ChainLeases}).
     */
    public record Welcome(ChainSpec chain, String resumeCursor, Optional<StoredBlock> tip, ChainLeases.Held lease) {
    }

    /** The answer to one event. */
    public record Ack(String cursor, Outcome outcome, String reason, String message, List<Violation> violations) {

        static Ack of(String cursor, EventOutcome outcome) {
            return new Ack(cursor, outcome.duplicate() ? Outcome.DUPLICATE : Outcome.APPLIED, "", "", List.of());
        }

        static Ack rejected(String cursor, InvalidInputException e) {
            return new Ack(cursor, Outcome.REJECTED, e.reason(), e.getMessage(), e.violations());
        }
    }

    public enum Outcome { APPLIED, DUPLICATE, REJECTED }

    /**
     * Binds a stream to its chain. Unknown chain: INVALID_ARGUMENT UNKNOWN_CHAIN; no or an unknown credential:
     * UNAUTHENTICATED; another chain's credential: PERMISSION_DENIED; another stream holds the chain's lease:
     * FAILED_PRECONDITION CHAIN_OWNED. The lease is claimed before the cursor is read: no other stream can move
     * the cursor after the welcome names it.
     */
    public Welcome hello(String chainId, String adapterId, String credential) {
        if (chainId == null || chainId.isBlank()) {
            throw new InvalidInputException("MISSING_FIELD", "hello.chain_id", "the chain id is required");
        }
        // The hello is not authenticated yet: nothing of it is echoed or logged unbounded.
        if (!ChainSpec.ID.matcher(chainId).matches()) {
            throw new InvalidInputException("UNKNOWN_CHAIN", "hello.chain_id", "not a chain id (1 to 32 characters of"
                    + " a-z 0-9 -, got " + chainId.length() + " characters)");
        }
        ChainSpec chain = registry.current().require(chainId, "hello.chain_id");
        String adapter = WireText.shown(adapterId);
        try {
            callers.requireAdapter(chain, credential);
        } catch (RuntimeException e) {
            LOG.warnf("adapter %s refused on %s: %s", adapter, chainId, e.getMessage());
            throw e;
        }
        ChainLeases.Held lease;
        try {
            lease = leases.claim(chainId, adapter + "/" + UUID.randomUUID(), config.adapters().lease());
        } catch (RuntimeException e) {
            LOG.warnf("adapter %s refused on %s: %s", adapter, chainId, e.getMessage());
            throw e;
        }
        LOG.infof("adapter %s connected for %s (lease epoch %d)", adapter, chainId, lease.epoch());
        return new Welcome(chain, store.cursor(chainId), store.tip(chainId), lease);
    }

    /** The stream ended (completed, cancelled or failed): its lease is given up if still held. */
    public void streamEnded(ChainLeases.Held lease) {
        leases.release(lease);
        LOG.debugf("adapter stream of %s ended, lease epoch %d released", lease.chainId(), lease.epoch());
    }

    /**
     * The registry entry of a stream's chain now: the registry can change while a stream is open, so every event
     * is judged by the entry in force when it arrives. A chain that left the registry ends the stream
     * (FAILED_PRECONDITION UNKNOWN_CHAIN).
     */
    public ChainSpec chain(String chainId) {
        return registry.current().chain(chainId).orElseThrow(() -> new PreconditionException("UNKNOWN_CHAIN", chainId,
                "chain " + chainId + " is no longer in the registry"));
    }

    /** One event of a stream, ready to apply: its cursor and its work. Built by the methods below. */
    public record Event(String cursor, AdapterStore.EventWork work) {
    }

    public Ack header(ChainSpec chain, String cursor, BlockHeaderEvent header) {
        return applyOne(chain, headerEvent(chain, cursor, header));
    }

    public Event headerEvent(ChainSpec chain, String cursor, BlockHeaderEvent header) {
        return new Event(cursor, batch -> batch.header(chain, header.validate()));
    }

    public Ack deposit(ChainSpec chain, String cursor, DepositEvent deposit) {
        return applyOne(chain, depositEvent(chain, cursor, deposit));
    }

    public Event depositEvent(ChainSpec chain, String cursor, DepositEvent deposit) {
        return new Event(cursor, new AdapterStore.DepositWork(chain, () -> deposit.validate(chain)));
    }

    /**
     * The adapter's finalized checkpoint. Only chains with the checkpoint rule take one: on a confirmations chain
     * it is refused PROTOCOL_VIOLATION (a checkpoint there would credit deposits the rule says are not final).
     */
    public Ack checkpoint(ChainSpec chain, String cursor, long height, String hash) {
        return applyOne(chain, checkpointEvent(chain, cursor, height, hash));
    }

    public Event checkpointEvent(ChainSpec chain, String cursor, long height, String hash) {
        return new Event(cursor, batch -> {
            if (chain.finalityRule() != FinalityRule.CHECKPOINT) {
                throw new InvalidInputException(PROTOCOL_VIOLATION, "checkpoint", chain.id()
                        + " is final by " + chain.confirmations() + " confirmations: it takes no checkpoint");
            }
            WireText.requireHash(hash, "checkpoint.hash", "INVALID_BLOCK_HASH", "the checkpoint's block hash");
            if (height < 0) {
                throw new InvalidInputException(PROTOCOL_VIOLATION, "checkpoint.height", "height out of range: " + Long.toUnsignedString(height));
            }
            return batch.checkpoint(chain, height, hash);
        });
    }

    /** The adapter's head; a height above 2^63 - 1 (negative as a long) is PROTOCOL_VIOLATION. */
    public Ack heartbeat(ChainSpec chain, String cursor, long headHeight) {
        return applyOne(chain, heartbeatEvent(chain, cursor, headHeight));
    }

    public Event heartbeatEvent(ChainSpec chain, String cursor, long headHeight) {
        return new Event(cursor, batch -> {
            if (headHeight < 0) {
                throw new InvalidInputException(PROTOCOL_VIOLATION, "heartbeat.head_height",
                        "height out of range: " + Long.toUnsignedString(headHeight));
            }
            return batch.heartbeat(chain.id(), headHeight);
        });
    }

    /**
     * The adapter's result for an instruction: EXECUTED debits the locked amount, FAILED unlocks it, the same
     * outcome again is DUPLICATE. Missing fields, an unknown id or another chain's withdrawal are REJECTED and
     * change nothing; the other outcome for a resolved withdrawal is REJECTED WITHDRAWAL_RESOLVED with a CRITICAL
     * alert committed with the cursor.
     */
    public Ack withdrawalResult(ChainSpec chain, String cursor, WithdrawalResultEvent result) {
        return applyOne(chain, withdrawalResultEvent(chain, cursor, result));
    }

    public Event withdrawalResultEvent(ChainSpec chain, String cursor, WithdrawalResultEvent result) {
        return new Event(cursor, batch -> batch.withdrawalResult(chain.id(), result.validate()));
    }

    /** A message with no event after the hello: refused, the stream goes on. */
    public Ack emptyEvent(ChainSpec chain, String cursor) {
        return applyOne(chain, emptyEventOf(cursor));
    }

    public Event emptyEventOf(String cursor) {
        return new Event(cursor, batch -> {
            throw new InvalidInputException(PROTOCOL_VIOLATION, "event", "the message carries no event");
        });
    }

    /**
     * The refusal of an event whose cursor is missing or malformed (see {@link WireText#cursorProblem}); empty when
     * the cursor is fine. Such a cursor cannot be recorded: the event is refused with nothing recorded, and the ack
     * carries no cursor (a malformed one is not echoed).
     */
    public Optional<Ack> badCursor(String cursor) {
        InvalidInputException problem = WireText.cursorProblem(cursor);
        return problem == null ? Optional.empty() : Optional.of(Ack.rejected("", problem));
    }

    private Ack applyOne(ChainSpec chain, Event event) {
        return apply(chain, List.of(event)).get(0);
    }

    /**
     * Applies consecutive events of one chain's stream in one transaction (see {@link AdapterStore#applyBatch}):
     * every ack is returned after the commit, in the order of the events; a rejected event changes nothing but the
     * cursor. A database error throws and acknowledges none of them.
     */
    public List<Ack> apply(ChainSpec chain, List<Event> events) {
        List<AdapterStore.Result> results = store.applyBatch(chain.id(),
                events.stream().map(e -> new AdapterStore.Queued(e.cursor(), e.work())).toList());
        List<Ack> acks = new ArrayList<>(results.size());
        Set<String> changed = new LinkedHashSet<>();
        for (int i = 0; i < results.size(); i++) {
            String cursor = events.get(i).cursor();
            AdapterStore.Result result = results.get(i);
            if (result.rejection() != null) {
                LOG.debugf("event at %s on %s rejected: %s", cursor, chain.id(), result.rejection().getMessage());
                acks.add(Ack.rejected(cursor, result.rejection()));
                if (result.rejection() instanceof AlertedRejection alerted && alerted.alert().freezeAccount()) {
                    // The rejection froze the account: its views now say so.
                    changed.add(alerted.alert().accountId());
                }
            } else {
                changed.addAll(result.outcome().changedAccounts());
                acks.add(Ack.of(cursor, result.outcome()));
            }
        }
        if (!changed.isEmpty()) {
            changes.publish(changed);
        }
        return acks;
    }
}
