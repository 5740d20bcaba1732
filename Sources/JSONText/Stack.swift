/// A growable stack that hands out its top elements by moving them into an exactly sized array.
///
/// `Array` can only copy a slice out and then release the originals; moving skips that retain/release
/// traffic, which was about a third of the parse time for typical event lines.
struct Stack<Element>: ~Copyable {
    private var base: UnsafeMutablePointer<Element>? = nil
    private var capacity = 0
    private(set) var count = 0

    init() {}

    deinit {
        base?.deinitialize(count: count)
        base?.deallocate()
    }

    subscript(n: Int) -> Element {
        unsafeAddress { UnsafePointer(base! + n) }
        unsafeMutableAddress { base! + n }
    }

    mutating func append(_ element: consuming Element) {
        if count == capacity {
            // Typical event lines fit in the first allocation.
            let bigger = UnsafeMutablePointer<Element>.allocate(capacity: max(16, capacity * 2))
            if let base {
                bigger.moveInitialize(from: base, count: count)
                base.deallocate()
            }
            base = bigger
            capacity = max(16, capacity * 2)
        }
        (base! + count).initialize(to: element)
        count += 1
    }

    /// Removes the elements from `start` on and returns them, in order, in an array of exactly that size.
    mutating func pop(from start: Int) -> [Element] {
        let n = count - start
        guard n > 0 else { return [] }
        let source = base! + start
        count = start
        var result: [Element] = []
        result.reserveCapacity(n)
        for k in 0..<n { result.append((source + k).move()) }
        return result
    }
}
