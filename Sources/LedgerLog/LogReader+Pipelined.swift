#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Integrity

extension LogReader {
    /// Visits every committed record with `seq >= from` in order, like `scan(from:checkChain:_:)`, but with
    /// each record first turned into a value by `decode` on one of two threads, so that reading, checking,
    /// decoding and consuming overlap.
    ///
    /// A background thread walks the log (framing, checksums, seq order, the hash chain when `checkChain`)
    /// and copies the records into chunks of about `chunkRecords`. Each chunk is decoded as a whole, either
    /// by the background thread (when it is ahead of the caller) or by the calling thread (when the caller
    /// reaches a chunk nobody has started), so both cores decode when the consumer is light and the
    /// background thread does all the decoding when the consumer is heavy. `consume` always runs on the
    /// calling thread, in log order, and the values are released there.
    ///
    /// Everything is reported as the sequential scan reports it: the records before a damaged place are
    /// consumed, then its `LogError` is thrown; a record `decode` refuses is thrown when its turn comes,
    /// after every record before it was consumed.
    ///
    /// - Returns: the summary, or nil when `consume` returned false (the background thread may have read
    ///   past that record, so the sequential summary of a stopped scan is not available).
    @discardableResult
    public func scan<Value: Sendable>(from: Int64 = 1, checkChain: Bool = false, chunkRecords: Int = 1024,
                                      decodingInParallel decode: @escaping @Sendable (borrowing StoredRecord) throws -> Value,
                                      _ consume: (Value) throws -> Bool) throws -> LogSummary? {
        let pipeline = DecodePipeline<Value>(decode: decode, chunkRecords: max(1, chunkRecords))
        let reader = self
        DispatchQueue.global(qos: .userInitiated).async {
            pipeline.produce { visit in try reader.scan(from: from, checkChain: checkChain, visit) }
        }
        // Whatever happens here, the background thread is stopped and waited for before returning,
        // so that it never outlives the call (nor reads the log afterwards).
        defer { pipeline.finishConsuming() }
        while let chunk = pipeline.nextChunk() {
            while let value = chunk.takeValue() {
                guard try consume(value) else { return nil }
            }
            if let failure = chunk.failure { throw failure }
            pipeline.release(chunk)
        }
        return try pipeline.summary()
    }
}

/// The records of one run of the log, copied out of the scanner's window so that either thread can
/// decode them later, and the values decoded from them.
final class DecodeChunk<Value: Sendable>: @unchecked Sendable {
    enum State { case scanned, decoding, decoded }

    /// Whole records back to back (each starts with its length), as the scanner checked them.
    let bytes: UnsafeMutableRawBufferPointer
    var used = 0
    var count = 0
    // The fields below change hands under the pipeline's lock: the decoding thread fills them while the
    // state is `.decoding`, and nobody else reads them before it is `.decoded`.
    var state = State.scanned
    /// The decoded values, `values[taken..<decoded]` still initialised. Not an array: the consumer takes
    /// each value out (a move), where iterating an array would copy it (retaining every string of an
    /// event) and release it again with the array.
    private var values: UnsafeMutablePointer<Value>
    private var valueCapacity: Int
    private var decoded = 0
    private var taken = 0
    /// The error of the first record that could not be decoded; the values are the records before it.
    var failure: (any Error)?

    init(capacity: Int, values: Int) {
        bytes = .allocate(byteCount: capacity, alignment: 16)
        self.values = .allocate(capacity: values)
        valueCapacity = values
    }

    deinit {
        dropValues()
        self.values.deallocate()
        bytes.deallocate()
    }

    /// Empties a released chunk for reuse.
    func reset() {
        dropValues()
        used = 0
        count = 0
        state = .scanned
        failure = nil
    }

    /// Releases the values not taken.
    func dropValues() {
        (values + taken).deinitialize(count: decoded - taken)
        decoded = 0
        taken = 0
    }

    /// The next decoded value in order, moved out of the chunk; nil after the last.
    func takeValue() -> Value? {
        guard taken < decoded else { return nil }
        defer { taken += 1 }
        return (values + taken).move()
    }

    /// Copies a record in; false when it does not fit.
    func append(_ record: borrowing StoredRecord) -> Bool {
        guard bytes.count - used >= record.bytes.count else { return false }
        UnsafeMutableRawBufferPointer(rebasing: bytes[used..<used + record.bytes.count]).copyMemory(from: record.bytes)
        used += record.bytes.count
        count += 1
        return true
    }

    /// Decodes every record, stopping at the first error.
    func decodeAll(_ decode: (borrowing StoredRecord) throws -> Value) {
        if valueCapacity < count {
            values.deallocate()
            values = .allocate(capacity: count)
            valueCapacity = count
        }
        var position = 0
        while position < used {
            // The scanner checked these records (length, checksum, seq) before they were copied.
            let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
            let record = UnsafeRawBufferPointer(rebasing: bytes[position..<position + length])
            let stored = StoredRecord(seq: Int64(littleEndian: record.loadUnaligned(fromByteOffset: 8, as: Int64.self)),
                                      recordedMicroseconds: Int64(littleEndian: record.loadUnaligned(fromByteOffset: 16, as: Int64.self)),
                                      previous: SHA256Digest(loading: record.baseAddress! + 24), bytes: record)
            do {
                (values + decoded).initialize(to: try decode(stored))
                decoded += 1
            } catch {
                failure = error
                return
            }
            position += length
        }
    }
}

/// The state shared by the background (producing) thread and the calling (consuming) thread.
///
/// Chunks are published in log order. A published chunk is decoded by whichever thread claims it first:
/// the consumer claims the chunk it needs next, the producer the newest one while at least two wait, so
/// that it never takes the chunk the consumer is about to reach.
final class DecodePipeline<Value: Sendable>: @unchecked Sendable {
    typealias Chunk = DecodeChunk<Value>

    /// Chunks published and not yet released by the consumer, more than which the producer waits.
    static var chunksInFlight: Int { 8 }
    /// Bytes of a chunk's buffer unless one record needs more.
    static var chunkBytes: Int { 512 << 10 }

    private let decode: @Sendable (borrowing StoredRecord) throws -> Value
    private let chunkRecords: Int

    // Guarded by `mutex`; `changed` is signalled on every change a waiting thread may wait for.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Published chunks not yet released, oldest first.
    private var queue: [Chunk] = []
    /// Buffers of released chunks, for the next ones.
    private var spare: [Chunk] = []
    private var producerDone = false
    private var cancelled = false
    private var outcome: Result<LogSummary, any Error>?

    init(decode: @escaping @Sendable (borrowing StoredRecord) throws -> Value, chunkRecords: Int) {
        self.decode = decode
        self.chunkRecords = chunkRecords
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    private func wait() { pthread_cond_wait(changed, mutex) }
    private func signal() { pthread_cond_broadcast(changed) }

    // MARK: Producer (background thread)

    /// Runs the scan, publishing chunks as they fill, and records how it ended.
    func produce(_ scan: ((borrowing StoredRecord) throws -> Bool) throws -> LogSummary) {
        var current = newChunk(atLeast: 0)
        let result = Result<LogSummary, any Error> {
            try scan { record in
                if current.count == chunkRecords || !current.append(record) {
                    guard publish(current) else { return false }
                    current = newChunk(atLeast: record.bytes.count)
                    _ = current.append(record)
                }
                return true
            }
        }
        if current.count > 0 { _ = publish(current) }
        locked {
            outcome = result
            producerDone = true
            signal()
        }
    }

    /// A chunk to fill: a spare one when it is big enough.
    private func newChunk(atLeast bytes: Int) -> Chunk {
        let reused: Chunk? = locked { spare.popLast() }
        if let reused, reused.bytes.count >= bytes {
            reused.reset()
            return reused
        }
        return Chunk(capacity: max(Self.chunkBytes, bytes), values: chunkRecords)
    }

    /// Hands a full chunk over, then decodes the newest waiting chunks while the consumer is behind and
    /// waits while too many chunks are in flight. False when the consumer has stopped.
    private func publish(_ chunk: Chunk) -> Bool {
        pthread_mutex_lock(mutex)
        queue.append(chunk)
        signal()
        while !cancelled {
            let waiting = queue.lazy.filter { $0.state == .scanned }.count
            if waiting >= 2, let newest = queue.last(where: { $0.state == .scanned }) {
                newest.state = .decoding
                pthread_mutex_unlock(mutex)
                newest.decodeAll(decode)
                pthread_mutex_lock(mutex)
                newest.state = .decoded
                signal()
            } else if queue.count >= Self.chunksInFlight {
                wait()
            } else {
                break
            }
        }
        let go = !cancelled
        pthread_mutex_unlock(mutex)
        return go
    }

    // MARK: Consumer (calling thread)

    /// The next chunk in log order, decoded (by this thread if nobody had started it); nil after the last.
    func nextChunk() -> Chunk? {
        pthread_mutex_lock(mutex)
        while queue.isEmpty && !producerDone { wait() }
        guard let chunk = queue.first else {
            pthread_mutex_unlock(mutex)
            return nil
        }
        if chunk.state == .scanned {
            chunk.state = .decoding
            pthread_mutex_unlock(mutex)
            chunk.decodeAll(decode)
            pthread_mutex_lock(mutex)
            chunk.state = .decoded
        }
        while chunk.state != .decoded { wait() }
        pthread_mutex_unlock(mutex)
        return chunk
    }

    /// Gives a consumed chunk's buffers back for reuse. Values not taken are released here, on the
    /// consumer's thread (the producer only ever looks at a queued chunk's `state`).
    func release(_ chunk: Chunk) {
        chunk.dropValues()
        locked {
            queue.removeFirst()
            if chunk.bytes.count == Self.chunkBytes && spare.count < Self.chunksInFlight { spare.append(chunk) }
            signal()
        }
    }

    /// How the scan ended, once every chunk was consumed.
    func summary() throws -> LogSummary {
        try locked {
            while !producerDone { wait() }
            return try outcome!.get()
        }
    }

    /// Stops the producer if it is still running and waits until it has finished.
    func finishConsuming() {
        locked {
            cancelled = true
            signal()
            while !producerDone { wait() }
        }
    }
}
