package dev.crosschain.suite;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A copy of collateral-service's test {@code ReferenceLedger} (test sources are not shared across modules), for
 * the service-restart proof. The reference model of the adapter stream, written from the proto comments and nothing of the service: per
 * chain a block tree whose canonical chain is the path to the newest header accepted, deposits keyed (chain, tx,
 * log) with their first-seen payload, finality by confirmations or by the adapter's finalized checkpoint, and
 * balances (pending, available, locked) per (account, chain, asset). Beyond the adapter's deposits: withdrawals
 * (LockWithdrawal, then the adapter's EXECUTED or FAILED result, idempotent by withdrawal id), internal transfers
 * (all legs or none, idempotent by transfer id) and the accounts whose withdrawals are frozen (a credited deposit
 * orphaned by a reorg, an EXECUTED result for a withdrawal resolved otherwise).
 * Each event or call returns the outcome the service must give and the accounts whose balances it changed.
 */
final class ReferenceLedger {

    enum Outcome { APPLIED, DUPLICATE, REJECTED }

    /** What the model says of one event. */
    record Verdict(Outcome outcome, String reason, Set<String> changedAccounts) {

        static Verdict rejected(String reason) {
            return new Verdict(Outcome.REJECTED, reason, Set.of());
        }

        static Verdict duplicate() {
            return new Verdict(Outcome.DUPLICATE, "", Set.of());
        }
    }

    record Block(long height, String hash, String parent) {
    }

    enum Status { PENDING, CREDITED, REVERTED }

    static final class Deposit {
        final String account;
        final String asset;
        final BigDecimal amount;
        String block;
        Status status;

        Deposit(String account, String asset, BigDecimal amount, String block) {
            this.account = account;
            this.asset = asset;
            this.amount = amount;
            this.block = block;
        }
    }

    /** Pending, available and locked of one (account, chain, asset). */
    static final class Balance {
        BigDecimal pending = BigDecimal.ZERO;
        BigDecimal available = BigDecimal.ZERO;
        BigDecimal locked = BigDecimal.ZERO;

        boolean isZero() {
            return pending.signum() == 0 && available.signum() == 0 && locked.signum() == 0;
        }
    }

    enum WithdrawalStatus { LOCKED, EXECUTED, FAILED }

    /** A withdrawal locked through LockWithdrawal, with its payload and state. */
    static final class Withdrawal {
        final String id;
        final String account;
        final String chain;
        final String asset;
        final BigDecimal amount;
        final String destination;
        WithdrawalStatus status = WithdrawalStatus.LOCKED;
        String txHash = "";

        Withdrawal(String id, String account, String chain, String asset, BigDecimal amount, String destination) {
            this.id = id;
            this.account = account;
            this.chain = chain;
            this.asset = asset;
            this.amount = amount;
            this.destination = destination;
        }

        boolean samePayload(String account, String chain, String asset, BigDecimal amount, String destination) {
            return this.account.equals(account) && this.chain.equals(chain) && this.asset.equals(asset)
                    && this.amount.compareTo(amount) == 0 && this.destination.equals(destination);
        }
    }

    /** One leg of a transfer: available moves from one account to another on one (chain, asset). */
    record Leg(String from, String to, String chain, String asset, BigDecimal amount) {

        /** The leg as its idempotency compares it: amounts by value ("1.50" is "1.5"). */
        String normalized() {
            return from + ">" + to + "@" + chain + "/" + asset + ":" + plain(amount);
        }
    }

    static final class Chain {
        final String id;
        final int confirmations;
        /** Final by the adapter's checkpoints (FINALITY_RULE_CHECKPOINT), not by confirmations. */
        boolean checkpointRule;
        /** The finalized checkpoint: height (-1 when none) and hash. */
        long checkpointHeight = -1;
        String checkpointHash = "";
        /** Every header accepted, canonical or not, by hash. */
        final Map<String, Block> blocks = new HashMap<>();
        /** The canonical chain: height -> hash. */
        final TreeMap<Long, String> canonical = new TreeMap<>();
        /** Deposits by "tx:log". */
        final Map<String, Deposit> deposits = new HashMap<>();
        /** Deposits by every block they were applied in (a revived one is under its old block too). */
        final Map<String, List<Deposit>> byBlock = new HashMap<>();
        /** The deposits whose status is PENDING (the only ones a header can revert or credit). */
        final Set<Deposit> pending = new LinkedHashSet<>();
        /** The newest headers accepted (canonical or not), where the generator looks for blocks to re-send. */
        final java.util.ArrayDeque<Block> recent = new java.util.ArrayDeque<>();
        /** Blocks at or below this height were stored before the model started: never forked by the generator. */
        long floor;

        Chain(String id, int confirmations, long tipHeight, String tipHash) {
            this.id = id;
            this.confirmations = confirmations;
            this.floor = tipHeight;
            if (!tipHash.isEmpty()) {
                blocks.put(tipHash, new Block(tipHeight, tipHash, "?"));
                canonical.put(tipHeight, tipHash);
            }
        }

        boolean hasBlocks() {
            return !canonical.isEmpty();
        }

        long tipHeight() {
            return canonical.isEmpty() ? floor : canonical.lastKey();
        }

        String tipHash() {
            return canonical.isEmpty() ? "" : canonical.lastEntry().getValue();
        }

        boolean isCanonical(String hash) {
            Block b = blocks.get(hash);
            return b != null && hash.equals(canonical.get(b.height()));
        }

        List<Block> orphans() {
            List<Block> result = new ArrayList<>();
            for (Block b : recent) {
                if (!isCanonical(b.hash())) {
                    result.add(b);
                }
            }
            result.sort((x, y) -> x.hash().compareTo(y.hash()));
            return result;
        }
    }

    final Map<String, Chain> chains = new TreeMap<>();
    /** Balances by account, then "chain/asset". */
    final Map<String, Map<String, Balance>> balances = new TreeMap<>();
    /** Withdrawals by id. */
    final Map<String, Withdrawal> withdrawals = new TreeMap<>();
    /** Committed transfers by id: their legs as compared by idempotency. */
    final Map<String, List<String>> transfers = new HashMap<>();
    /** Accounts whose withdrawals are frozen (no operator unfreezes in the model). */
    final Set<String> frozen = new java.util.TreeSet<>();

    Chain chain(String id) {
        return chains.get(id);
    }

    void addChain(String id, int confirmations, long tipHeight, String tipHash) {
        chains.put(id, new Chain(id, confirmations, tipHeight, tipHash));
    }

    /**
     * A chain final by checkpoint, starting from the stored tip and the stored finalized checkpoint (height -1 and
     * hash "" when none).
     */
    void addCheckpointChain(String id, long tipHeight, String tipHash, long checkpointHeight, String checkpointHash) {
        Chain chain = new Chain(id, 0, tipHeight, tipHash);
        chain.checkpointRule = true;
        chain.checkpointHeight = checkpointHeight;
        chain.checkpointHash = checkpointHash;
        chains.put(id, chain);
    }

    /**
     * A header: already canonical is a duplicate; a header whose canonical block below is not its parent does
     * not connect (rejected); otherwise it becomes the tip, orphaning every canonical block at its height or
     * above (their pending deposits are reverted, credited ones stay credited), and deposits it makes final are
     * credited.
     */
    Verdict header(String chainId, long height, String hash, String parent) {
        Chain chain = chains.get(chainId);
        if (chain.isCanonical(hash)) {
            return Verdict.duplicate();
        }
        String below = chain.canonical.get(height - 1);
        if (chain.checkpointRule && chain.checkpointHeight >= 0) {
            // Nothing at or below the finalized checkpoint is replaced, nothing hangs under another block than it.
            if (height <= chain.checkpointHeight && chain.canonical.containsKey(height)) {
                return Verdict.rejected("FINALITY_VIOLATION");
            }
            if (height == chain.checkpointHeight + 1 && below != null && !below.equals(parent)) {
                return Verdict.rejected("FINALITY_VIOLATION");
            }
        }
        if (chain.hasBlocks() && (below == null || !below.equals(parent))) {
            return Verdict.rejected("UNKNOWN_BLOCK");
        }
        if (!chain.hasBlocks()) {
            chain.floor = height; // the first header the service sees is taken as it comes
        }
        Set<String> changed = new LinkedHashSet<>();
        // A copy of the replaced blocks, not the map's entries: TreeMap reuses its entry nodes when one is removed.
        Set<String> replaced = new LinkedHashSet<>(chain.canonical.tailMap(height, true).values());
        chain.canonical.tailMap(height, true).clear();
        for (String orphan : replaced) {
            for (Deposit d : chain.byBlock.getOrDefault(orphan, List.of())) {
                if (d.status == Status.CREDITED && d.block.equals(orphan) && frozen.add(d.account)) {
                    changed.add(d.account); // a final deposit orphaned: left credited, the account's withdrawals frozen
                }
            }
            for (Deposit d : new ArrayList<>(chain.pending)) {
                if (d.block.equals(orphan)) {
                    d.status = Status.REVERTED;
                    chain.pending.remove(d);
                    balance(d.account, chainId, d.asset).pending = balance(d.account, chainId, d.asset).pending.subtract(d.amount);
                    changed.add(d.account);
                }
            }
        }
        if (!chain.blocks.containsKey(hash)) {
            Block added = new Block(height, hash, parent);
            chain.blocks.put(hash, added);
            chain.recent.addLast(added);
            if (chain.recent.size() > 64) {
                chain.recent.removeFirst();
            }
        }
        chain.canonical.put(height, hash);
        creditFinal(chain, changed);
        return new Verdict(Outcome.APPLIED, "", changed);
    }

    /**
     * A deposit: its block must be stored and canonical; a key seen before with another payload is a conflict;
     * seen before and not reverted is a duplicate; reverted is revived in the named block. Pending, and credited
     * at once when its block is final.
     */
    Verdict deposit(String chainId, String tx, int log, String block, String account, String asset, BigDecimal amount,
                    int decimals) {
        Chain chain = chains.get(chainId);
        if (amount.signum() <= 0 || amount.stripTrailingZeros().scale() > decimals) {
            return Verdict.rejected("INVALID_AMOUNT");
        }
        if (!chain.blocks.containsKey(block) || !chain.isCanonical(block)) {
            return Verdict.rejected("UNKNOWN_BLOCK");
        }
        String key = tx + ":" + log;
        Deposit d = chain.deposits.get(key);
        if (d != null) {
            if (!d.account.equals(account) || !d.asset.equals(asset) || d.amount.compareTo(amount) != 0) {
                return Verdict.rejected("CONFLICTING_DEPOSIT");
            }
            if (d.status != Status.REVERTED) {
                return Verdict.duplicate();
            }
            d.block = block;
        } else {
            d = new Deposit(account, asset, amount, block);
            chain.deposits.put(key, d);
        }
        d.status = Status.PENDING;
        chain.byBlock.computeIfAbsent(block, k -> new ArrayList<>()).add(d);
        chain.pending.add(d);
        Balance b = balance(account, chainId, asset);
        b.pending = b.pending.add(amount);
        if (isFinal(chain, block)) {
            credit(chain, d);
        }
        return new Verdict(Outcome.APPLIED, "", Set.of(account));
    }

    private void creditFinal(Chain chain, Set<String> changed) {
        for (Deposit d : new ArrayList<>(chain.pending)) {
            if (chain.isCanonical(d.block) && isFinal(chain, d.block)) {
                credit(chain, d);
                changed.add(d.account);
            }
        }
    }

    /** By confirmations a block counts as its own first; by checkpoint it is final at or below the checkpoint. */
    private static boolean isFinal(Chain chain, String block) {
        long height = chain.blocks.get(block).height();
        if (chain.checkpointRule) {
            return height <= Math.min(chain.checkpointHeight, chain.tipHeight());
        }
        return height + chain.confirmations - 1 <= chain.tipHeight();
    }

    /**
     * The adapter's finalized checkpoint: only on a checkpoint chain (else PROTOCOL_VIOLATION); it must name the
     * canonical block at its height (else UNKNOWN_BLOCK, or CONFLICTING_CHECKPOINT at or below the current
     * checkpoint's height); at or below the current one it is a duplicate; above it moves up and credits what
     * became final.
     */
    Verdict checkpoint(String chainId, long height, String hash) {
        Chain chain = chains.get(chainId);
        if (!chain.checkpointRule) {
            return Verdict.rejected("PROTOCOL_VIOLATION");
        }
        Block named = chain.blocks.get(hash);
        boolean canonicalThere = named != null && named.height() == height && chain.isCanonical(hash);
        if (!canonicalThere) {
            return Verdict.rejected(chain.checkpointHeight >= 0 && height <= chain.checkpointHeight
                    ? "CONFLICTING_CHECKPOINT" : "UNKNOWN_BLOCK");
        }
        if (height <= chain.checkpointHeight) {
            return Verdict.duplicate();
        }
        chain.checkpointHeight = height;
        chain.checkpointHash = hash;
        Set<String> changed = new LinkedHashSet<>();
        creditFinal(chain, changed);
        return new Verdict(Outcome.APPLIED, "", changed);
    }

    /**
     * LockWithdrawal (margin-service's credential): a known id answers as a replay (DUPLICATE) with the same payload,
     * IDEMPOTENCY_CONFLICT with another; then ACCOUNT_FROZEN, INSUFFICIENT_BALANCE (available below the amount);
     * else available -> locked.
     */
    Verdict lock(String id, String account, String chainId, String asset, BigDecimal amount, String destination) {
        Withdrawal known = withdrawals.get(id);
        if (known != null) {
            return known.samePayload(account, chainId, asset, amount, destination) ? Verdict.duplicate()
                    : Verdict.rejected("IDEMPOTENCY_CONFLICT");
        }
        if (frozen.contains(account)) {
            return Verdict.rejected("ACCOUNT_FROZEN");
        }
        Balance b = balance(account, chainId, asset);
        if (b.available.compareTo(amount) < 0) {
            return Verdict.rejected("INSUFFICIENT_BALANCE");
        }
        b.available = b.available.subtract(amount);
        b.locked = b.locked.add(amount);
        withdrawals.put(id, new Withdrawal(id, account, chainId, asset, amount, destination));
        return new Verdict(Outcome.APPLIED, "", Set.of(account));
    }

    /**
     * The adapter's withdrawal result on {@code chainId}: an id never locked on this chain is UNKNOWN_WITHDRAWAL; a
     * resolved withdrawal answers the same outcome (and tx hash) as a duplicate and anything else as
     * WITHDRAWAL_RESOLVED, an EXECUTED report then freezing the account; a locked one is debited (EXECUTED) or
     * unlocked (FAILED), frozen or not.
     */
    Verdict withdrawalResult(String chainId, String id, boolean executed, String txHash) {
        Withdrawal w = withdrawals.get(id);
        if (w == null || !w.chain.equals(chainId)) {
            return Verdict.rejected("UNKNOWN_WITHDRAWAL");
        }
        WithdrawalStatus reported = executed ? WithdrawalStatus.EXECUTED : WithdrawalStatus.FAILED;
        if (w.status != WithdrawalStatus.LOCKED) {
            if (w.status == reported && (!executed || w.txHash.equals(txHash))) {
                return Verdict.duplicate();
            }
            Set<String> changed = executed && frozen.add(w.account) ? Set.of(w.account) : Set.of();
            return new Verdict(Outcome.REJECTED, "WITHDRAWAL_RESOLVED", changed);
        }
        Balance b = balance(w.account, w.chain, w.asset);
        b.locked = b.locked.subtract(w.amount);
        if (!executed) {
            b.available = b.available.add(w.amount);
        }
        w.status = reported;
        w.txHash = executed ? txHash : "";
        return new Verdict(Outcome.APPLIED, "", Set.of(w.account));
    }

    /**
     * Transfer (liquidation-service's credential): a known id answers as a replay (DUPLICATE) with the same legs,
     * IDEMPOTENCY_CONFLICT with others; legs apply in order, all or none: a leg whose debited account has less
     * available than its amount (after the legs before it) refuses the whole transfer INSUFFICIENT_BALANCE.
     */
    Verdict transfer(String id, List<Leg> legs) {
        List<String> normalized = legs.stream().map(Leg::normalized).toList();
        List<String> known = transfers.get(id);
        if (known != null) {
            return known.equals(normalized) ? Verdict.duplicate() : Verdict.rejected("IDEMPOTENCY_CONFLICT");
        }
        Map<String, BigDecimal> after = new HashMap<>();
        for (Leg leg : legs) {
            String from = leg.from() + " " + leg.chain() + "/" + leg.asset();
            String to = leg.to() + " " + leg.chain() + "/" + leg.asset();
            BigDecimal available = after.computeIfAbsent(from, k -> balance(leg.from(), leg.chain(), leg.asset()).available);
            if (available.compareTo(leg.amount()) < 0) {
                return Verdict.rejected("INSUFFICIENT_BALANCE");
            }
            after.put(from, available.subtract(leg.amount()));
            after.put(to, after.computeIfAbsent(to, k -> balance(leg.to(), leg.chain(), leg.asset()).available).add(leg.amount()));
        }
        Set<String> changed = new LinkedHashSet<>();
        for (Leg leg : legs) {
            balance(leg.from(), leg.chain(), leg.asset()).available = balance(leg.from(), leg.chain(), leg.asset()).available.subtract(leg.amount());
            balance(leg.to(), leg.chain(), leg.asset()).available = balance(leg.to(), leg.chain(), leg.asset()).available.add(leg.amount());
            changed.add(leg.from());
            changed.add(leg.to());
        }
        transfers.put(id, normalized);
        return new Verdict(Outcome.APPLIED, "", changed);
    }

    private void credit(Chain chain, Deposit d) {
        d.status = Status.CREDITED;
        chain.pending.remove(d);
        Balance b = balance(d.account, chain.id, d.asset);
        b.pending = b.pending.subtract(d.amount);
        b.available = b.available.add(d.amount);
    }

    Balance balance(String account, String chainId, String asset) {
        return balances.computeIfAbsent(account, k -> new TreeMap<>()).computeIfAbsent(chainId + "/" + asset, k -> new Balance());
    }

    /** "chain/asset" -> "pending/available" of the account, zero balances left out (no withdrawals: locked is 0). */
    Map<String, String> balancesOf(String account) {
        Map<String, String> result = new TreeMap<>();
        balances.getOrDefault(account, Map.of()).forEach((k, b) -> {
            if (!b.isZero()) {
                result.put(k, plain(b.pending) + "/" + plain(b.available));
            }
        });
        return result;
    }

    /** "chain/asset" -> "pending/available/locked" of the account, zero balances left out. */
    Map<String, String> fullBalancesOf(String account) {
        Map<String, String> result = new TreeMap<>();
        balances.getOrDefault(account, Map.of()).forEach((k, b) -> {
            if (!b.isZero()) {
                result.put(k, triple(b.pending, b.available, b.locked));
            }
        });
        return result;
    }

    /** "chain/asset" -> "pending/available" summed over all accounts of the model, zero sums left out. */
    Map<String, String> totals() {
        Map<String, String> result = new TreeMap<>();
        fullTotals().forEach((k, v) -> result.put(k, v.substring(0, v.lastIndexOf('/'))));
        return result;
    }

    /** "chain/asset" -> "pending/available/locked" summed over all accounts of the model, zero sums left out. */
    Map<String, String> fullTotals() {
        Map<String, Balance> sums = new TreeMap<>();
        balances.values().forEach(perAccount -> perAccount.forEach((k, b) -> {
            Balance s = sums.computeIfAbsent(k, x -> new Balance());
            s.pending = s.pending.add(b.pending);
            s.available = s.available.add(b.available);
            s.locked = s.locked.add(b.locked);
        }));
        Map<String, String> result = new TreeMap<>();
        sums.forEach((k, b) -> {
            if (!b.isZero()) {
                result.put(k, triple(b.pending, b.available, b.locked));
            }
        });
        return result;
    }

    static String triple(BigDecimal pending, BigDecimal available, BigDecimal locked) {
        return plain(pending) + "/" + plain(available) + "/" + plain(locked);
    }

    static String plain(BigDecimal d) {
        return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    }
}
