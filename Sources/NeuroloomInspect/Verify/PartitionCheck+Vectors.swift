import LMDB
import NeuroloomStore

/// Step 4 of ``PartitionCheck``: vectors, checked only when the partition has an embedder.
extension PartitionCheck {
    func checkVector(of id: MemoryID, dimension: Int, _ txn: ReadTransaction) throws {
        guard let stored = try reader.vectorSlots.get(id.ulid.bytes, in: txn) else {
            list.add(.missingVector, memory: id, "no vector_slots entry (embedder '\(metadata.embedder ?? "")')")
            return
        }
        guard let slot = IndexFormat.vectorSlot(stored) else {
            list.add(.malformedValue, memory: id, "vector_slots value of \(stored.count) bytes (expected 6)")
            return
        }
        let holds = try reader.vectors.withValue(forKey: IndexFormat.blockKey(slot.block), in: txn) { bytes in
            bytes.flatMap { VectorBlockView($0, dimension: dimension) }?.holds(id.ulid.bytes, at: Int(slot.slot)) ?? false
        }
        if !holds {
            list.add(.vectorSlotMismatch, memory: id, "vector_slots points at block \(slot.block) slot \(slot.slot), which does not hold this memory")
        }
    }

    func checkVectorBlocks(_ txn: ReadTransaction, dimension: Int) throws {
        try reader.vectors.forEach(in: txn) { key, value in
            guard let number = IndexFormat.bigEndianUInt32(key) else {
                list.add(.malformedKey, "vectors key of \(key.count) bytes (expected 4)")
                return true
            }
            try value.withUnsafeBytes { bytes in
                guard let block = VectorBlockView(bytes, dimension: dimension) else {
                    list.add(.malformedVectorBlock, "block \(number): \(bytes.count) bytes do not hold 1…\(Layout.vectorsPerBlock) vectors of dimension \(dimension)")
                    return
                }
                for slot in 0..<block.count {
                    try checkBlockEntry(block, number: number, slot: slot, txn)
                }
            }
            return true
        }
    }

    func checkBlockEntry(_ block: VectorBlockView, number: UInt32, slot: Int, _ txn: ReadTransaction) throws {
        let memory = block.memory(at: slot)
        let id = ULID(storedBytes: memory).map(MemoryID.init(ulid:))
        if try !reader.memories.contains(memory, in: txn) {
            list.add(.vectorForMissingMemory, memory: id, "block \(number) slot \(slot) holds a vector for a memory that does not exist")
        } else if try reader.vectorSlots.get(memory, in: txn).flatMap(IndexFormat.vectorSlot) != VectorSlot(block: number, slot: UInt16(slot)) {
            list.add(.vectorWithoutSlot, memory: id, "block \(number) slot \(slot) holds this memory, but its vector_slots entry points elsewhere")
        }
        let norm = block.norm(at: slot)
        if !(abs(norm - 1) <= Self.normTolerance) {
            list.add(.vectorNotNormalised, memory: id, "block \(number) slot \(slot) has norm \(norm)")
        }
    }

    func checkVectorSlots(_ txn: ReadTransaction) throws {
        if metadata.embedder == nil {
            let blocks = try reader.vectors.count(in: txn)
            let slots = try reader.vectorSlots.count(in: txn)
            if blocks > 0 || slots > 0 {
                list.add(.vectorsWithoutEmbedder, "\(blocks) vector blocks and \(slots) vector_slots entries, but index_meta names no embedder")
            }
            return
        }
        try reader.vectorSlots.forEach(in: txn) { key, value in
            guard let ulid = ULID(storedBytes: key) else {
                list.add(.malformedKey, "vector_slots key of \(key.count) bytes")
                return true
            }
            if try !reader.memories.contains(key, in: txn) {
                list.add(.vectorSlotForMissingMemory, memory: MemoryID(ulid: ulid), "vector_slots entry for a memory that does not exist")
            }
            return true
        }
    }
}
