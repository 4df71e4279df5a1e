package dev.crosschain.pricing.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/** The idempotency key of an accepted PushOptionQuotes and the surface version it created. */
@Entity
@Table(name = "option_quote_set")
@IdClass(QuoteSetEntity.Key.class)
class QuoteSetEntity {

    @Id
    @Column(name = "underlying")
    String underlying;

    @Id
    @Column(name = "quote_set_id")
    String quoteSetId;

    @Column(name = "payload_sha256", nullable = false)
    byte[] payloadSha256;

    @Column(name = "surface_version", nullable = false)
    long surfaceVersion;

    @Column(name = "pushed_at", nullable = false)
    Instant pushedAt;

    public static class Key implements Serializable {
        String underlying;
        String quoteSetId;

        public Key() {
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(underlying, k.underlying) && Objects.equals(quoteSetId, k.quoteSetId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(underlying, quoteSetId);
        }
    }
}
