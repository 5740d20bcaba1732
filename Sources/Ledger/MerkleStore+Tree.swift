#if canImport(Glibc)
import Glibc
#endif
import Integrity
import LedgerLog

/// The store was readable when opened but one of its entries is not: the caller rebuilds from the log.
struct MerkleStoreDamage: Error {
    var reason: String
}

/// The Merkle tree over the log's records: `merkle.tree` where it matches the log, extended in memory
/// from the log's tail, or rebuilt from the whole log when the file is missing, damaged or stale.
final class MerkleTreeView: MerkleSubtreeSource {
    let folder: String
    /// The header of the file as it was read (the empty header when the file was not usable).
    let stored: MerkleStoreHeader
    private let file: MerkleFile?
    /// The entries added in memory after the file's, in slot order from `stored.entryCount`.
    private(set) var added: [MerkleStoreEntry] = []
    /// The current extent: `stored` plus what was read from the log since.
    private(set) var header: MerkleStoreHeader
    private var chunkCache: [Int64: [[UInt8]]] = [:]

    /// Opens the store of `folder` and extends it to the log's committed end.
    init(folder: String, reader: LogReader, ignoringFile: Bool = false) throws {
        self.folder = folder
        let usable = ignoringFile ? nil : try Self.usableFile(folder: folder, reader: reader)
        file = usable?.0
        stored = usable?.1 ?? MerkleStoreHeader()
        header = stored
        try extend(reader: reader)
    }

    /// The store file and its header, if the header is valid, it matches the log and the file holds its entries.
    /// A missing, damaged or stale file is nil (rebuilt from the log); a file that cannot be read is an I/O error.
    static func usableFile(folder: String, reader: LogReader) throws -> (MerkleFile, MerkleStoreHeader)? {
        guard let file = try MerkleFile.open(folder + "/" + MerkleStore.fileName),
              let header = MerkleStoreHeader(decoding: try file.read(MerkleStore.headerSize, at: 0)),
              try matches(header, reader: reader) else { return nil }
        // The header bounds its size, so this cannot overflow; it is checked against the log first all the same.
        let (entries, overflow) = header.entryCount.multipliedReportingOverflow(by: Int64(MerkleStore.entrySize))
        guard !overflow, file.size() - Int64(MerkleStore.headerSize) >= entries else { return nil }
        return (file, header)
    }

    /// Whether the header's last record is in the log with the recorded seq and hash.
    private static func matches(_ header: MerkleStoreHeader, reader: LogReader) throws -> Bool {
        guard let last = header.last else { return header.size == 0 }
        let found: (seq: Int64, hash: SHA256Digest)?
        do {
            found = try reader.record(at: last)
        } catch let error as LogError where error.kind == .io {
            throw LedgerError.wrap(error)
        } catch {
            return false
        }
        guard let found else { return false }
        return found.seq == header.size && found.hash == header.head
    }

    /// Reads the records after the covered prefix, hashing them into the tree.
    private func extend(reader: LogReader) throws {
        var frontier = try MerkleFrontier(size: Int(header.size), source: self)
        var locator = RecordLocator(folder: folder, after: header.last)
        var next = header
        var chunkStart = header.tailStart
        var lastLength = 0
        func add(seq: Int64, length: Int, leafHash: SHA256Digest) throws -> Bool {
            let start = try locator.locate(seq: seq, length: length)
            if (seq - 1) % Int64(MerkleStore.chunkLeaves) == 0 { chunkStart = start }
            frontier.append(leafHash) { subtree in
                guard subtree.level >= MerkleStore.baseLevel else { return }
                added.append(MerkleStoreEntry(level: subtree.level, index: Int64(subtree.index), hash: subtree.hash,
                                              start: subtree.level == MerkleStore.baseLevel ? chunkStart : nil))
            }
            next.size = seq
            lastLength = length
            return true
        }
        if let last = header.last {
            try reader.scan(after: last) { record in try add(seq: record.seq, length: record.bytes.count, leafHash: Merkle.leafHash(record.bytes)) }
        } else {
            // A whole log: its leaves are hashed on a second core while this one builds the tree.
            try reader.scan(from: 1, decodingInParallel: { record in (record.seq, record.bytes.count, Merkle.leafHash(record.bytes)) }) { leaf in
                try add(seq: leaf.0, length: leaf.1, leafHash: leaf.2)
            }
        }
        guard next.size > header.size else { return }
        let last = locator.position(length: lastLength)
        guard let found = try reader.record(at: last), found.seq == next.size else {
            throw LedgerError(.verificationFailed, "the log changed while the Merkle tree was read; try again")
        }
        next.last = last
        next.head = found.hash
        next.tailStart = next.size % Int64(MerkleStore.chunkLeaves) == 0 ? nil : chunkStart
        header = next
        // The group that was the tail may have grown.
        chunkCache.removeAll()
    }

    /// Writes what was added to `merkle.tree`, unless another process is writing it; a failure only leaves the cache behind.
    func persist() {
        guard header != stored || file == nil,
              let lock = try? MerkleFile.open(folder + "/" + MerkleStore.lockName, flags: O_RDWR | O_CREAT), lock.tryLock() else { return }
        let path = folder + "/" + MerkleStore.fileName
        if file != nil {
            // Append the new entries after the stored ones, then commit them with the header.
            guard let writable = try? MerkleFile.open(path, flags: O_RDWR),
                  let current = try? writable.read(MerkleStore.headerSize, at: 0),
                  MerkleStoreHeader(decoding: current) == stored else { return }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(added.count * MerkleStore.entrySize)
            for entry in added { entry.encode(into: &bytes) }
            do {
                try writable.write(bytes, at: Int64(MerkleStore.headerSize) + stored.entryCount * Int64(MerkleStore.entrySize))
                try writable.sync()
                try writable.write(header.encoded(), at: 0)
                try writable.sync()
            } catch {
                return
            }
        } else {
            var chunks = [header.encoded()]
            var bytes: [UInt8] = []
            bytes.reserveCapacity(min(added.count, 1 << 16) * MerkleStore.entrySize)
            for entry in added {
                entry.encode(into: &bytes)
                if bytes.count >= 1 << 22 {
                    chunks.append(bytes)
                    bytes.removeAll(keepingCapacity: true)
                }
            }
            chunks.append(bytes)
            // A failed replace removes its new file again.
            try? DurableFiles.replace(path: path, chunks: chunks)
        }
    }

    /// The stored or added entry of a complete subtree of level 6 or more within the current extent.
    private func entry(level: Int, index: Int64) throws -> MerkleStoreEntry {
        let slot = MerkleStore.slot(level: level, index: index)
        guard (index + 1) << Int64(level) <= header.size else {
            throw MerkleError.subtreeUnavailable(level: level, index: Int(index))
        }
        if slot >= stored.entryCount {
            let entry = added[Int(slot - stored.entryCount)]
            precondition(entry.level == level && entry.index == index, "Merkle store slot arithmetic")
            return entry
        }
        return try Self.storedEntry(level: level, index: index, file!)
    }

    /// The entry of a complete subtree of level 6 or more as `file` stores it.
    private static func storedEntry(level: Int, index: Int64, _ file: MerkleFile) throws -> MerkleStoreEntry {
        let slot = MerkleStore.slot(level: level, index: index)
        let bytes = try file.read(MerkleStore.entrySize, at: Int64(MerkleStore.headerSize) + slot * Int64(MerkleStore.entrySize))
        guard let entry = MerkleStoreEntry(decoding: bytes[...], level: level, index: index) else {
            throw MerkleStoreDamage(reason: "entry \(slot) (level \(level), index \(index)) is damaged")
        }
        return entry
    }

    /// The complete bytes of the record with `seq`, read from where the stored entry of its group of 64 places the
    /// group: neither the log up to it nor the records after the store are read. Nil when the store is not usable
    /// or does not hold that group's entry; throws when the bytes there are not the group's records.
    static func storedRecord(seq: Int64, folder: String, reader: LogReader) throws -> [UInt8]? {
        let leaves = Int64(MerkleStore.chunkLeaves)
        guard seq >= 1, let (file, header) = try usableFile(folder: folder, reader: reader) else { return nil }
        let chunk = (seq - 1) / leaves
        guard (chunk + 1) * leaves <= header.size,
              let start = try storedEntry(level: MerkleStore.baseLevel, index: chunk, file).start else { return nil }
        var cursor = RecordCursor(folder: folder, start: start, seq: chunk * leaves + 1)
        for _ in 0..<(seq - 1) % leaves { _ = try cursor.next() }
        return try cursor.next()
    }

    /// Where the first record of group `chunk` (64 leaves) starts, by the entries and header alone;
    /// nil when no record of the group lies within the current extent.
    func chunkStart(_ chunk: Int64) throws -> RecordStart? {
        let first = chunk * Int64(MerkleStore.chunkLeaves)
        if first + Int64(MerkleStore.chunkLeaves) <= header.size { return try entry(level: MerkleStore.baseLevel, index: chunk).start }
        return first < header.size ? header.tailStart : nil
    }

    /// The records of group `chunk` (64 leaves) that lie within the current extent.
    func chunkRecords(_ chunk: Int64) throws -> [[UInt8]] {
        if let cached = chunkCache[chunk] { return cached }
        let first = chunk * Int64(MerkleStore.chunkLeaves)
        let count = Int(min(Int64(MerkleStore.chunkLeaves), header.size - first))
        guard count > 0 else { throw MerkleError.subtreeUnavailable(level: 0, index: Int(first)) }
        let start: RecordStart
        if count == MerkleStore.chunkLeaves {
            guard let found = try entry(level: MerkleStore.baseLevel, index: chunk).start else {
                throw MerkleStoreDamage(reason: "entry of leaves \(first)... has no record position")
            }
            start = found
        } else {
            start = header.tailStart!
        }
        var cursor = RecordCursor(folder: folder, start: start, seq: first + 1)
        var records: [[UInt8]] = []
        records.reserveCapacity(count)
        for _ in 0..<count { records.append(try cursor.next()) }
        chunkCache[chunk] = records
        return records
    }

    /// The complete bytes of the record with `seq`, which must lie within the current extent.
    func record(seq: Int64) throws -> [UInt8] {
        let leaf = seq - 1
        return try chunkRecords(leaf / Int64(MerkleStore.chunkLeaves))[Int(leaf % Int64(MerkleStore.chunkLeaves))]
    }

    func subtreeHash(level: Int, index: Int) throws -> SHA256Digest {
        if level >= MerkleStore.baseLevel { return try entry(level: level, index: Int64(index)).hash }
        let first = Int64(index) << Int64(level)
        guard level >= 0, index >= 0, first + (1 << Int64(level)) <= header.size else {
            throw MerkleError.subtreeUnavailable(level: level, index: index)
        }
        let records = try chunkRecords(first / Int64(MerkleStore.chunkLeaves))
        let offset = Int(first % Int64(MerkleStore.chunkLeaves))
        return Merkle.root(ofLeafHashes: records[offset..<offset + (1 << level)].map { Merkle.leafHash($0) })
    }
}
