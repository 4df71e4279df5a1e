package dev.crosschain.pricing.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/** The latest quote of one (asset, source). */
@Entity
@Table(name = "index_quote")
@IdClass(IndexQuoteEntity.Key.class)
class IndexQuoteEntity {

    @Id
    @Column(name = "asset")
    String asset;

    @Id
    @Column(name = "source")
    String source;

    @Column(name = "price", nullable = false)
    BigDecimal price;

    @Column(name = "observed_at", nullable = false)
    Instant observedAt;

    @Column(name = "received_at", nullable = false)
    Instant receivedAt;

    public static class Key implements Serializable {
        String asset;
        String source;

        public Key() {
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(asset, k.asset) && Objects.equals(source, k.source);
        }

        @Override
        public int hashCode() {
            return Objects.hash(asset, source);
        }
    }
}
