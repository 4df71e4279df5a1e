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
 * log) with their first-seen payload, finality by confirmations, and balances per (account, chain, asset).
 * Each event returns the ack outcome the service must give and the accounts whose balances it changed.
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

    /** Pending and available of one (account, chain, asset). */
    static final class Balance {
        BigDecimal pending = BigDecimal.ZERO;
        BigDecimal available = BigDecimal.ZERO;

        boolean isZero() {
            return pending.signum() == 0 && available.signum() == 0;
        }
    }

    static final class Chain {
        final String id;
        final int confirmations;
        /** Every header accepted, canonical or not, by hash. */
        final Map<String, Block> blocks = new HashMap<>();
        /** The canonical chain: height -> hash. */
        final TreeMap<Long, String> canonical = new TreeMap<>();
        /** Deposits by "tx:log". */
        final Map<String, Deposit> deposits = new HashMap<>();
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

    Chain chain(String id) {
        return chains.get(id);
    }

    void addChain(String id, int confirmations, long tipHeight, String tipHash) {
        chains.put(id, new Chain(id, confirmations, tipHeight, tipHash));
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

    /** A block counts as its own first confirmation. */
    private static boolean isFinal(Chain chain, String block) {
        return chain.blocks.get(block).height() + chain.confirmations - 1 <= chain.tipHeight();
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

    /** "chain/asset" -> "pending/available" of the account, zero balances left out. */
    Map<String, String> balancesOf(String account) {
        Map<String, String> result = new TreeMap<>();
        balances.getOrDefault(account, Map.of()).forEach((k, b) -> {
            if (!b.isZero()) {
                result.put(k, plain(b.pending) + "/" + plain(b.available));
            }
        });
        return result;
    }

    /** "chain/asset" -> "pending/available" summed over all accounts of the model, zero sums left out. */
    Map<String, String> totals() {
        Map<String, Balance> sums = new TreeMap<>();
        balances.values().forEach(perAccount -> perAccount.forEach((k, b) -> {
            Balance s = sums.computeIfAbsent(k, x -> new Balance());
            s.pending = s.pending.add(b.pending);
            s.available = s.available.add(b.available);
        }));
        Map<String, String> result = new TreeMap<>();
        sums.forEach((k, b) -> {
            if (!b.isZero()) {
                result.put(k, plain(b.pending) + "/" + plain(b.available));
            }
        });
        return result;
    }

    static String plain(BigDecimal d) {
        return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    }
}
