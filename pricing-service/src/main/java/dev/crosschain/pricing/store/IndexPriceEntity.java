package dev.crosschain.pricing.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An asset's write counter (orders the copies replicas hold) and its index as of that write, for
 * operators: readers derive the index from the quotes at read time.
 */
@Entity
@Table(name = "index_price")
class IndexPriceEntity {

    @Id
    @Column(name = "asset")
    String asset;

    @Column(name = "price", nullable = false)
    BigDecimal price;

    @Column(name = "updated_at", nullable = false)
    Instant updatedAt;

    /** Comma-separated source names (names cannot hold commas). */
    @Column(name = "sources", nullable = false)
    String sources;

    @Column(name = "dropped_sources", nullable = false)
    String droppedSources;

    @Column(name = "revision", nullable = false)
    long revision;
}
