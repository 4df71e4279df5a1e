package dev.crosschain.pricing.app;

import dev.crosschain.pricing.domain.ImpliedVolatility;
import dev.crosschain.pricing.domain.Instrument;
import dev.crosschain.pricing.domain.InvalidInputException;
import dev.crosschain.pricing.domain.MarkCalculator;
import dev.crosschain.pricing.domain.MarketSnapshot;
import dev.crosschain.pricing.domain.PreconditionFailedException;
import dev.crosschain.pricing.domain.PriceOutOfBoundsException;
import dev.crosschain.pricing.domain.Violation;
import dev.crosschain.pricing.domain.VolQuote;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Turns a pushed option quote set into what the SVI fitter takes: checked quotes as implied vols
 * (prices converted against their expiry's forward) and a forward for every quoted expiry.
 */
final class OptionQuoteValidation {

    static final String REASON = "INVALID_OPTION_QUOTE";
    /** Fewer quotes cannot pin down the five SVI parameters of a slice. */
    static final int MIN_QUOTES_PER_EXPIRY = 5;
    /** Above 500% a quote is a typo, not a market. */
    static final double MAX_VOL = 5.0;
    /** Idempotency keys: short, printable, no separators a log or a URL would need to escape. */
    static final Pattern QUOTE_SET_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /**
     * How far a pushed forward may be from the index: |ln(F / index)| at most
     * {@code carryPerYear} x T + {@code band}, T the expiry's years from now.
     */
    record BasisBounds(double carryPerYear, double band) {

        /** The largest |ln(F / index)| allowed for an expiry {@code years} away. */
        double maxLogBasis(double years) {
            return carryPerYear * years + band;
        }
    }

    /** What the fitter takes; {@code index} is the underlying's now, which the given forwards are a basis over. */
    record FitInput(String underlying, List<VolQuote> quotes, Map<LocalDate, Double> forwards, double index) {
    }

    private final String underlyingName;
    private final String quoteSetId;
    private final List<Surfaces.Quote> quotes;
    private final List<Surfaces.Forward> forwards;
    private final Instant now;
    private final BasisBounds bounds;
    /** The expiry each well-formed forward is for, by its position in the request. */
    private final Map<Integer, LocalDate> forwardExpiries = new TreeMap<>();
    private final List<Violation> violations = new ArrayList<>();

    private OptionQuoteValidation(String underlying, String quoteSetId, List<Surfaces.Quote> quotes,
                                  List<Surfaces.Forward> forwards, Instant now, BasisBounds bounds) {
        this.underlyingName = underlying;
        this.quoteSetId = quoteSetId;
        this.quotes = quotes;
        this.forwards = forwards;
        this.now = now;
        this.bounds = bounds;
    }

    /**
     * @throws InvalidInputException INVALID_OPTION_QUOTE for malformed input, PRICE_OUT_OF_BOUNDS
     *                               for a price with no implied vol, INVALID_OPTION_QUOTE for a
     *                               forward outside {@code bounds}; NotFoundException NO_INDEX for an
     *                               underlying that has no index; PreconditionFailedException
     *                               INDEX_STALE for forwards given while the index is stale
     */
    static FitInput validate(String underlying, String quoteSetId, List<Surfaces.Quote> quotes,
                             List<Surfaces.Forward> forwards, MarketSnapshot market, BasisBounds bounds) {
        return new OptionQuoteValidation(underlying, quoteSetId, quotes, forwards, market.now(), bounds).run(market);
    }

    /** The canonical underlying when both it and the quote set id are well-formed (so the key may be stored), else null. */
    static String keyedUnderlying(String underlying, String quoteSetId) {
        if (quoteSetId == null || !QUOTE_SET_ID.matcher(quoteSetId).matches()) {
            return null;
        }
        try {
            return Instrument.parseAsset(underlying, "underlying");
        } catch (InvalidInputException e) {
            return null;
        }
    }

    private FitInput run(MarketSnapshot market) {
        String underlying = checked(() -> Instrument.parseAsset(underlyingName, "underlying"));
        if (quoteSetId == null || quoteSetId.isEmpty()) {
            violations.add(new Violation("quote_set_id", "is required: an idempotency key of this quote set"));
        } else if (quoteSetId.length() > 128) {
            violations.add(new Violation("quote_set_id", "at most 128 characters, got " + quoteSetId.length()));
        } else if (!QUOTE_SET_ID.matcher(quoteSetId).matches()) {
            violations.add(new Violation("quote_set_id", "only A-Z a-z 0-9 . _ : - are allowed"));
        }
        if (quotes.isEmpty()) {
            violations.add(new Violation("quotes", "at least one quote is required"));
        }
        Map<Integer, Instrument.Option> options = new LinkedHashMap<>();
        Map<String, Integer> firstByName = new HashMap<>();
        for (int i = 0; i < quotes.size(); i++) {
            Instrument.Option option = option(i, underlying);
            if (option != null) {
                Integer earlier = firstByName.putIfAbsent(option.name(), i);
                if (earlier != null) {
                    violations.add(new Violation(at(i) + ".instrument", "quoted twice, first at " + at(earlier)));
                } else {
                    options.put(i, option);
                }
            }
            checkSides(i);
        }
        Map<LocalDate, Integer> perExpiry = new TreeMap<>();
        options.values().forEach(o -> perExpiry.merge(o.expiryDate(), 1, Integer::sum));
        perExpiry.forEach((expiry, count) -> {
            if (count < MIN_QUOTES_PER_EXPIRY) {
                violations.add(new Violation("quotes", "expiry " + Instrument.Expiry.format(expiry) + " has " + count
                        + " quote(s), at least " + MIN_QUOTES_PER_EXPIRY + " are needed"));
            }
        });
        Map<LocalDate, Double> givenForwards = givenForwards(underlying, perExpiry);
        if (!violations.isEmpty()) {
            throw new InvalidInputException(REASON, violations);
        }
        double index = market.index(underlying).price().doubleValue();
        if (!forwards.isEmpty()) {
            checkBases(underlying, index, market);
        }
        Map<LocalDate, Double> forwardByExpiry = new TreeMap<>();
        perExpiry.keySet().forEach(expiry -> forwardByExpiry.put(expiry, givenForwards.getOrDefault(expiry, index)));
        return new FitInput(underlying, toVols(options, forwardByExpiry), forwardByExpiry, index);
    }

    private Instrument.Option option(int i, String underlying) {
        String field = at(i) + ".instrument";
        Instrument instrument = checked(() -> Instrument.parse(quotes.get(i).instrument(), field));
        if (instrument == null) {
            return null;
        }
        if (!(instrument instanceof Instrument.Option option)) {
            violations.add(new Violation(field, "not an option: " + instrument.name()));
            return null;
        }
        if (underlying != null && !option.underlying().equals(underlying)) {
            violations.add(new Violation(field, "an option on " + option.underlying() + ", not on " + underlying));
            return null;
        }
        if (!option.expiry().isAfter(now)) {
            violations.add(new Violation(field, "expired at " + option.expiry()));
            return null;
        }
        return option;
    }

    private void checkSides(int i) {
        Surfaces.Quote q = quotes.get(i);
        if (q.bidVol() == null && q.askVol() == null && q.bidPrice() == null && q.askPrice() == null) {
            violations.add(new Violation(at(i), "neither a bid nor an ask"));
            return;
        }
        if (q.bidVol() != null && q.bidPrice() != null) {
            violations.add(new Violation(at(i) + ".bid_price", "the bid is given both as a vol and as a price"));
        }
        if (q.askVol() != null && q.askPrice() != null) {
            violations.add(new Violation(at(i) + ".ask_price", "the ask is given both as a vol and as a price"));
        }
        boolean vols = checkVol(q.bidVol(), at(i) + ".bid_vol") & checkVol(q.askVol(), at(i) + ".ask_vol");
        boolean prices = checkPrice(q.bidPrice(), at(i) + ".bid_price") & checkPrice(q.askPrice(), at(i) + ".ask_price");
        if (vols && q.bidVol() != null && q.askVol() != null && q.bidVol() > q.askVol()) {
            violations.add(new Violation(at(i) + ".bid_vol", "bid vol " + q.bidVol() + " is above ask vol " + q.askVol()));
        }
        if (prices && q.bidPrice() != null && q.askPrice() != null && q.bidPrice() > q.askPrice()) {
            violations.add(new Violation(at(i) + ".bid_price", "bid " + q.bidPrice() + " is above ask " + q.askPrice()));
        }
    }

    private boolean checkVol(Double vol, String field) {
        if (vol != null && !(vol > 0 && vol <= MAX_VOL)) {
            violations.add(new Violation(field, "must be in (0, " + MAX_VOL + "], got " + vol));
            return false;
        }
        return true;
    }

    private boolean checkPrice(Double price, String field) {
        if (price != null && !(price > 0 && Double.isFinite(price))) {
            violations.add(new Violation(field, "must be a finite positive price, got " + price));
            return false;
        }
        return true;
    }

    private Map<LocalDate, Double> givenForwards(String underlying, Map<LocalDate, Integer> quotedExpiries) {
        Map<LocalDate, Double> given = new HashMap<>();
        for (int j = 0; j < forwards.size(); j++) {
            Surfaces.Forward f = forwards.get(j);
            String at = "forwards[" + j + "]";
            if (!(f.forward() > 0 && Double.isFinite(f.forward()))) {
                violations.add(new Violation(at + ".forward", "must be a finite positive price, got " + f.forward()));
            }
            LocalDate expiry = expiry(underlying, f.expiry(), at + ".expiry");
            if (expiry == null) {
                continue;
            }
            forwardExpiries.put(j, expiry);
            if (given.put(expiry, f.forward()) != null) {
                violations.add(new Violation(at + ".expiry", "a second forward for " + f.expiry()));
            } else if (underlying != null && !quotedExpiries.containsKey(expiry)) {
                violations.add(new Violation(at + ".expiry", "no quote expires on " + f.expiry()));
            }
        }
        return given;
    }

    /**
     * A basis is only meaningful over a live index: a stale one may be far from where the forwards
     * were taken, and the slices would keep that wrong ratio. Then every forward must be within
     * the bounds of its expiry, so a fat-fingered forward cannot move every dated mark.
     */
    private void checkBases(String underlying, double index, MarketSnapshot market) {
        if (market.isStale(underlying)) {
            throw new PreconditionFailedException("INDEX_STALE", "INDEX_STALE", underlying,
                    "the index of " + underlying + " is stale: forwards are kept as a basis over it, push fresh index"
                            + " prices first (or push the quotes without forwards)");
        }
        forwardExpiries.forEach((j, expiry) -> {
            double forward = forwards.get(j).forward();
            double years = MarkCalculator.yearsUntil(new Instrument.Future(underlying, expiry).expiry(), now);
            double maxLog = bounds.maxLogBasis(years);
            if (!(Math.abs(Math.log(forward / index)) <= maxLog)) {
                violations.add(new Violation("forwards[" + j + "].forward", "forward " + forward + " of "
                        + Instrument.Expiry.format(expiry) + " is outside the allowed range [" + rounded(index * Math.exp(-maxLog))
                        + ", " + rounded(index * Math.exp(maxLog)) + "] around index " + rounded(index) + ": |ln(forward / index)| may be at most "
                        + bounds.carryPerYear() + " x " + rounded(years) + " years + " + bounds.band()));
            }
        });
        if (!violations.isEmpty()) {
            throw new InvalidInputException(REASON, violations);
        }
    }

    /** Six significant digits: enough to see why a forward was refused. */
    private static String rounded(double value) {
        return new BigDecimal(value).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    private LocalDate expiry(String underlying, String code, String field) {
        // An expiry code parses as the future of that expiry.
        Instrument future = checked(() -> Instrument.parse((underlying == null ? "X0" : underlying) + "-" + code, field));
        if (future instanceof Instrument.Future f) {
            return f.expiryDate();
        }
        if (future != null) {
            violations.add(new Violation(field, "not an expiry code such as 27DEC26: " + code));
        }
        return null;
    }

    private List<VolQuote> toVols(Map<Integer, Instrument.Option> options, Map<LocalDate, Double> forwardByExpiry) {
        List<Violation> outOfBounds = new ArrayList<>();
        List<VolQuote> result = new ArrayList<>();
        options.forEach((i, option) -> {
            Surfaces.Quote q = quotes.get(i);
            double forward = forwardByExpiry.get(option.expiryDate());
            double bid = q.bidVol() != null ? q.bidVol() : impliedVol(option, forward, q.bidPrice(), at(i) + ".bid_price", outOfBounds);
            double ask = q.askVol() != null ? q.askVol() : impliedVol(option, forward, q.askPrice(), at(i) + ".ask_price", outOfBounds);
            if (q.bidPrice() != null) {
                checkVol(bid, at(i) + ".bid_price");
            }
            if (q.askPrice() != null) {
                checkVol(ask, at(i) + ".ask_price");
            }
            // Prices on both sides or vols on both sides were compared as given; a mixed quote only now.
            boolean mixed = q.bidPrice() != null && q.askVol() != null || q.bidVol() != null && q.askPrice() != null;
            if (mixed && bid > ask) {
                violations.add(new Violation(at(i) + (q.bidPrice() != null ? ".bid_price" : ".bid_vol"),
                        "bid implies vol " + bid + ", above the ask's " + ask));
            }
            result.add(new VolQuote(option, bid, ask));
        });
        if (!outOfBounds.isEmpty()) {
            throw new InvalidInputException("PRICE_OUT_OF_BOUNDS", outOfBounds);
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException(REASON, violations);
        }
        return result;
    }

    /** The vol of a price, NaN for a side not quoted (as VolQuote wants). */
    private double impliedVol(Instrument.Option option, double forward, Double price, String field, List<Violation> outOfBounds) {
        if (price == null) {
            return Double.NaN;
        }
        try {
            return ImpliedVolatility.DEFAULT.solve(option.type(), forward, option.strike().doubleValue(),
                    MarkCalculator.yearsUntil(option.expiry(), now), price);
        } catch (PriceOutOfBoundsException e) {
            outOfBounds.add(new Violation(field, boundsDescription(e, forward)));
            return Double.NaN;
        }
    }

    static String boundsDescription(PriceOutOfBoundsException e, double forward) {
        return "price " + e.price() + " is outside the no-arbitrage bounds (" + e.lower() + ", " + e.upper()
                + ") at forward " + forward + ": no implied volatility exists";
    }

    private <T> T checked(java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (InvalidInputException e) {
            violations.addAll(e.violations());
            return null;
        }
    }

    private static String at(int i) {
        return "quotes[" + i + "]";
    }
}
