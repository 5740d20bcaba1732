/// Calls `body` with the bytes of a sequence as one or more raw buffers, in order.
@inlinable
func forEachContiguousChunk(
    of bytes: some Sequence<UInt8>, _ body: (UnsafeRawBufferPointer) -> Void
) {
    // Arrays, slices, `Data` and string UTF-8 views usually expose their storage directly.
    let handled: Void? = bytes.withContiguousStorageIfAvailable { body(UnsafeRawBufferPointer($0)) }
    if handled != nil { return }

    // Other sequences are gathered into a small stack buffer so the hot loops still see raw memory.
    withUnsafeTemporaryAllocation(byteCount: 256, alignment: 1) { buffer in
        var count = 0
        for byte in bytes {
            buffer[count] = byte
            count += 1
            if count == buffer.count {
                body(UnsafeRawBufferPointer(buffer))
                count = 0
            }
        }
        if count > 0 {
            body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }
}
