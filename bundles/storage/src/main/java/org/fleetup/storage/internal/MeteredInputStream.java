package org.fleetup.storage.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongFunction;

import org.apache.commons.io.input.ProxyInputStream;

/**
 * Counts the bytes read through it and refuses the read that takes the count past a limit the reader may move as
 * it goes, with the exception the reader chose for that limit: so a limit is checked while the bytes stream, before
 * what lies past it is decompressed, parsed or kept.
 */
final class MeteredInputStream extends ProxyInputStream {

    private long count;
    private long limit = Long.MAX_VALUE;
    private LongFunction<? extends RuntimeException> refusal = count -> new IllegalStateException();

    MeteredInputStream(InputStream in) {
        super(in);
    }

    long count() {
        return count;
    }

    /**
     * @param refusal what to throw, given the count, once the count passes {@code limit}
     */
    void limit(long limit, LongFunction<? extends RuntimeException> refusal) {
        this.limit = limit;
        this.refusal = refusal;
    }

    @Override
    protected void afterRead(int n) {
        if (n > 0) {
            add(n);
        }
    }

    /** Skipped bytes are decompressed all the same: they count. */
    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        add(skipped);
        return skipped;
    }

    private void add(long n) {
        count += n;
        if (count > limit) {
            throw refusal.apply(count);
        }
    }
}
