import FuzzSupport
import Integrity
import LedgerLog

/// Structure-aware mutations of a log: the input is its segment files concatenated (each starts with
/// the segment magic). Bit flips, truncations, splices and removals of blocks, header and record
/// fields set to extremes, payload bytes changed, new segment boundaries; then, half the time, every
/// checksum and hash link is recomputed ("resealed") so that the change reaches the checks behind them.
enum LogMutator {
    struct Field { var offset: Int; var width: Int }

    /// Where the blocks, records and integer fields of `bytes` lie, as far as their lengths can be followed.
    struct Layout {
        var segments: [Int] = []
        var blocks: [Range<Int>] = []
        var records: [Range<Int>] = []
        var fields: [Field] = []
    }

    static func segmentStarts(_ bytes: [UInt8]) -> [Int] {
        var starts = [0]
        let magic = LogFormat.segmentMagic
        var index = 1
        while index + magic.count <= bytes.count {
            if bytes[index] == magic[0] && bytes[index..<index + magic.count].elementsEqual(magic) { starts.append(index) }
            index += 1
        }
        return starts
    }

    static func load(_ bytes: [UInt8], _ offset: Int, _ width: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<width where offset + index < bytes.count { value |= UInt64(bytes[offset + index]) << (8 * index) }
        return value
    }

    static func store(_ bytes: inout [UInt8], _ offset: Int, _ width: Int, _ value: UInt64) {
        for index in 0..<width where offset + index < bytes.count { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }

    static func layout(_ bytes: [UInt8]) -> Layout {
        var layout = Layout()
        let starts = segmentStarts(bytes)
        for (number, start) in starts.enumerated() {
            let end = number + 1 < starts.count ? starts[number + 1] : bytes.count
            layout.segments.append(start)
            layout.fields.append(Field(offset: start + 16, width: 8))
            var offset = start + LogFormat.segmentHeaderSize
            while offset + LogFormat.blockHeaderSize <= end {
                let bodyLength = Int(load(bytes, offset + 12, 4))
                let blockEnd = min(end, offset + LogFormat.blockHeaderSize + bodyLength)
                layout.blocks.append(offset..<blockEnd)
                layout.fields += [Field(offset: offset + 4, width: 4), Field(offset: offset + 8, width: 4),
                                  Field(offset: offset + 12, width: 4), Field(offset: offset + 16, width: 8)]
                var record = offset + LogFormat.blockHeaderSize
                while record + LogFormat.recordHeaderSize <= blockEnd {
                    let length = Int(load(bytes, record, 4))
                    guard length >= LogFormat.recordHeaderSize, record + length <= blockEnd else { break }
                    layout.records.append(record..<record + length)
                    layout.fields += [Field(offset: record, width: 4), Field(offset: record + 8, width: 8),
                                      Field(offset: record + 16, width: 8)]
                    record += length
                }
                if blockEnd <= offset { break }
                offset = blockEnd
            }
        }
        return layout
    }

    /// Recomputes every header checksum, record checksum and hash link that the layout reaches.
    static func reseal(_ bytes: inout [UInt8]) {
        let layout = layout(bytes)
        for start in layout.segments where start + LogFormat.segmentHeaderSize <= bytes.count {
            store(&bytes, start + 28, 4, UInt64(CRC32C.checksum(bytes[start..<start + 28])))
        }
        for block in layout.blocks where block.lowerBound + LogFormat.blockHeaderSize <= bytes.count {
            store(&bytes, block.lowerBound + 28, 4, UInt64(CRC32C.checksum(bytes[block.lowerBound..<block.lowerBound + 28])))
        }
        var chain = LogFormat.genesis
        for record in layout.records {
            bytes.replaceSubrange(record.lowerBound + 24..<record.lowerBound + 56, with: chain.bytes)
            store(&bytes, record.lowerBound + 4, 4, UInt64(CRC32C.checksum(bytes[record.lowerBound + 8..<record.upperBound])))
            chain = SHA256.hash(bytes[record])
        }
    }

    static func mutate(_ input: [UInt8], maxSize: Int, using random: inout SeededRandom) -> [UInt8] {
        var bytes = input
        if bytes.isEmpty || Int.random(in: 0..<8, using: &random) == 0 {
            return byteMutation(bytes, maxSize: min(maxSize, bytes.count + 256))
        }
        let layout = layout(bytes)
        switch Int.random(in: 0..<10, using: &random) {
        case 0:
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            }
        case 1:
            // Cut anywhere, or a few bytes either side of a block boundary.
            var cut = Int.random(in: 0...bytes.count, using: &random)
            if let block = layout.blocks.randomElement(using: &random), Bool.random(using: &random) {
                cut = max(0, min(bytes.count, block.upperBound + Int.random(in: -3...3, using: &random)))
            }
            bytes.removeSubrange(cut...)
        case 2:
            // Splice a range of the log into another place.
            let from = Int.random(in: 0..<bytes.count, using: &random)
            let to = Int.random(in: from...min(bytes.count, from + 4_096), using: &random)
            bytes.insert(contentsOf: bytes[from..<to], at: Int.random(in: 0...bytes.count, using: &random))
        case 3:
            // Duplicate, remove or move a whole block.
            guard let block = layout.blocks.randomElement(using: &random) else { break }
            let copy = Array(bytes[block])
            switch Int.random(in: 0..<3, using: &random) {
            case 0: bytes.insert(contentsOf: copy, at: block.upperBound)
            case 1: bytes.removeSubrange(block)
            default:
                bytes.removeSubrange(block)
                let other = layout.blocks.randomElement(using: &random)!
                bytes.insert(contentsOf: copy, at: min(bytes.count, other.lowerBound))
            }
        case 4, 5:
            // A length, count, flag or seq field at an extreme, or one off.
            guard let field = layout.fields.randomElement(using: &random) else { break }
            let current = load(bytes, field.offset, field.width)
            let value = Bool.random(using: &random) ? UInt64(bitPattern: extremeIntegers.randomElement(using: &random)!)
                                                    : current &+ (Bool.random(using: &random) ? 1 : UInt64.max)
            store(&bytes, field.offset, field.width, value)
        case 6, 7:
            // Change payload bytes, so that a resealed record reaches the stored-event decoder.
            guard let record = layout.records.randomElement(using: &random),
                  record.count > LogFormat.recordHeaderSize else { break }
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let at = Int.random(in: record.lowerBound + LogFormat.recordHeaderSize..<record.upperBound, using: &random)
                bytes[at] = Bool.random(using: &random) ? UInt8.random(in: 0...255, using: &random) : bytes[at] ^ 0x80
            }
            reseal(&bytes)
            return Array(bytes.prefix(maxSize))
        case 8:
            // Start a new segment before a block, named by that block's first seq.
            guard let block = layout.blocks.randomElement(using: &random) else { break }
            var header = LogFormat.segmentMagic + [1, 0, 0, 0, 0, 0, 0, 0]
            header += (0..<8).map { UInt8(truncatingIfNeeded: load(bytes, block.lowerBound + 16, 8) >> (8 * $0)) }
            header += [0, 0, 0, 0, 0, 0, 0, 0]
            bytes.insert(contentsOf: header, at: block.lowerBound)
        default:
            bytes = byteMutation(bytes, maxSize: min(maxSize, bytes.count + 256))
        }
        if Bool.random(using: &random) { reseal(&bytes) }
        return Array(bytes.prefix(maxSize))
    }
}
