"""RFC 6962 / RFC 9162 Merkle hashing and proofs: pure computation, no I/O.

Owns leaf and node hashing, ``Tree`` (roots, frontiers and proofs read off complete-subtree
hashes), ``MerkleTree`` (append-only, every level kept), ``CompactRange`` (fold new leaves onto
a trusted checkpoint), the verifiers, and the plain RFC 6962 recursions (``root_of``,
``*_proof_of``) that tests use as a reference. Verifiers follow transparency-dev/merkle
proof/verify.go: ``root_from_*`` computes, ``verify_*`` checks; preconditions come first, and
every step of a consistency proof is checked, including that it rebuilds the old root (RFC 9162
§2.1.4.2). Impossible input raises MalformedProofError, a shrinking tree ConsistencyError, a
wrong root RootMismatchError.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from domain.errors import ConsistencyError, MalformedProofError, RootMismatchError

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """Return the RFC 6962 leaf hash SHA-256(0x00 || data)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 6962 interior node hash SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """Return the largest power of two smaller than n (requires n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def fold_hashes(hashes: Sequence[bytes]) -> bytes:
    """Return the root over complete subtree hashes given left to right, largest first."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def _check_hash(what: str, value: bytes) -> None:
    if len(value) != HASH_SIZE:
        raise MalformedProofError(f"{what} size {len(value)}, want {HASH_SIZE}")


def _check_hashes(what: str, hashes: Sequence[bytes], want: int) -> None:
    if len(hashes) != want:
        raise MalformedProofError(f"wrong {what} size {len(hashes)}, want {want}")
    for i, value in enumerate(hashes):
        _check_hash(f"{what}[{i}]", value)


class Tree:
    """An RFC 6962 tree read off its complete-subtree hashes: roots, frontiers and proofs for
    any size up to ``size``, in O(log n) nodes. Subclasses say how many leaves there are and
    where node i of level k (the hash of leaves [i * 2**k, (i + 1) * 2**k)) is kept."""

    @property
    def size(self) -> int:
        """The number of leaves."""
        raise NotImplementedError

    def node(self, level: int, index: int) -> bytes:
        """The hash of complete subtree `index` of `level` (leaves [index * 2**level, ...))."""
        raise NotImplementedError

    def _cover(self, lo: int, hi: int) -> list[bytes]:
        """The complete subtrees covering [lo, hi), largest first; lo must be aligned."""
        width, nodes = hi - lo, []
        for level in range(width.bit_length() - 1, -1, -1):
            if width >> level & 1:
                nodes.append(self.node(level, lo >> level))
                lo += 1 << level
        return nodes

    def _resolve(self, size: int | None) -> int:
        if size is None:
            return self.size
        if not 0 <= size <= self.size:
            raise MalformedProofError(f"size {size} out of range for tree size {self.size}")
        return size

    def leaf_hash_at(self, index: int) -> bytes:
        """Return leaf hash `index`. Requires 0 <= index < size."""
        if not 0 <= index < self.size:
            raise MalformedProofError(f"index {index} out of range for tree size {self.size}")
        return self._cover(index, index + 1)[0]

    def root(self, size: int | None = None) -> bytes:
        """Return MTH of the first `size` leaves (default: all; EMPTY_ROOT for none)."""
        size = self._resolve(size)
        return fold_hashes(self._cover(0, size)) if size else EMPTY_ROOT

    def compact_range(self, size: int | None = None) -> list[bytes]:
        """Return the frontier of [0, size): its maximal complete subtrees, left to right."""
        return self._cover(0, self._resolve(size))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Return PATH(index, D[size]) (RFC 6962 §2.1.1). Requires 0 <= index < size."""
        size = self._resolve(size)
        if not 0 <= index < size:
            raise MalformedProofError(f"index {index} out of range for tree size {size}")
        proof, lo, hi = [], 0, size
        while hi - lo > 1:
            k = _split(hi - lo)
            if index < lo + k:
                proof.append(fold_hashes(self._cover(lo + k, hi)))
                hi = lo + k
            else:
                proof.append(fold_hashes(self._cover(lo, lo + k)))
                lo += k
        return proof[::-1]

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """Return PROOF(old_size, D[new_size]) (RFC 6962 §2.1.2). Requires 0 < old <= new."""
        new_size = self._resolve(new_size)
        if not 0 < old_size <= new_size:
            raise MalformedProofError(f"old size {old_size} out of range for new size {new_size}")
        proof, lo, hi, complete = [], 0, new_size, True
        while hi != old_size:
            k = _split(hi - lo)
            if old_size - lo <= k:
                proof.append(fold_hashes(self._cover(lo + k, hi)))
                hi = lo + k
            else:
                proof.append(fold_hashes(self._cover(lo, lo + k)))
                lo, complete = lo + k, False
        if not complete:
            proof.append(fold_hashes(self._cover(lo, hi)))
        return proof[::-1]


class MerkleTree(Tree):
    """An append-only tree storing one bytearray per level of 32-byte complete-subtree hashes.

    Node i of level k hashes leaves [i * 2**k, (i + 1) * 2**k) once they all exist; roots and
    proofs for any size up to ``size`` are read off these nodes in O(log n).
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self.extend(leaf_hashes)

    @property
    def size(self) -> int:
        """The number of leaves."""
        return len(self._levels[0]) // HASH_SIZE

    def append(self, leaf_hash: bytes) -> None:
        """Append one 32-byte leaf hash. Raises MalformedProofError."""
        self.extend((leaf_hash,))

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append 32-byte leaf hashes in order, all or none. Raises MalformedProofError."""
        new = list(leaf_hashes)
        for i, value in enumerate(new):
            if len(value) != HASH_SIZE:
                _check_hash(f"leaf hash {self.size + i}", value)
        self._levels[0] += b"".join(new)
        pair, level = 2 * HASH_SIZE, 0
        while len(self._levels[level]) >= pair:  # hash each new pair of complete siblings
            if level + 1 == len(self._levels):
                self._levels.append(bytearray())
            below, above = self._levels[level], self._levels[level + 1]
            start, stop = len(above) // HASH_SIZE, len(below) // pair
            if start == stop:
                return  # nothing new on this level, so nothing new above it
            above += b"".join(
                hashlib.sha256(NODE_PREFIX + below[i * pair : (i + 1) * pair]).digest()
                for i in range(start, stop)
            )
            level += 1

    def node(self, level: int, index: int) -> bytes:
        offset = index * HASH_SIZE
        return bytes(self._levels[level][offset : offset + HASH_SIZE])

    def level_hashes(self, level: int) -> bytes:
        """Every complete-subtree hash of `level`, packed (empty above the top)."""
        return bytes(self._levels[level]) if level < len(self._levels) else b""


class CompactRange:
    """The frontier of leaves [0, size). Rebuilt from a trusted checkpoint's
    ``compact_range(m)``, it folds leaves m..n-1 into the root at n without the tree.
    """

    def __init__(self) -> None:
        self._size = 0
        self._hashes: list[bytes] = []

    @classmethod
    def from_hashes(cls, size: int, frontier: Sequence[bytes]) -> CompactRange:
        """Rebuild from `size` and its frontier. Requires len(frontier) == popcount(size)."""
        if size < 0:
            raise MalformedProofError(f"size {size} out of range for a compact range")
        _check_hashes("frontier", frontier, size.bit_count())
        compact = cls()
        compact._size, compact._hashes = size, list(frontier)
        return compact

    @property
    def size(self) -> int:
        """The number of leaves covered."""
        return self._size

    @property
    def hashes(self) -> list[bytes]:
        """The frontier, left to right (a copy), as ``from_hashes`` takes it."""
        return list(self._hashes)

    def append(self, leaf_hash: bytes) -> None:
        """Fold in one 32-byte leaf hash. Raises MalformedProofError."""
        _check_hash(f"leaf hash {self._size}", leaf_hash)
        result, carry = leaf_hash, self._size
        while carry & 1:
            result, carry = node_hash(self._hashes.pop(), result), carry >> 1
        self._hashes.append(result)
        self._size += 1

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Fold in leaf hashes, in order."""
        for value in leaf_hashes:
            self.append(value)

    def root(self) -> bytes:
        """Return MTH of the leaves covered (EMPTY_ROOT for none)."""
        return fold_hashes(self._hashes) if self._hashes else EMPTY_ROOT


# -- verification, after transparency-dev/merkle proof/verify.go ---------------------------------


def _decompose(index: int, size: int) -> tuple[int, int]:
    """Split PATH(index, D[size]) where the paths to `index` and `size - 1` diverge."""
    inner = (index ^ (size - 1)).bit_length()
    return inner, (index >> inner).bit_count()


def _chain(seed: bytes, proof: Sequence[bytes], index: int, left_only: bool = False) -> bytes:
    """Hash `seed` up through inner siblings; `left_only` gives the subtree's earlier root."""
    for i, sibling in enumerate(proof):
        if (index >> i) & 1:
            seed = node_hash(sibling, seed)
        elif not left_only:
            seed = node_hash(seed, sibling)
    return seed


def _chain_border(seed: bytes, proof: Sequence[bytes]) -> bytes:
    for sibling in proof:
        seed = node_hash(sibling, seed)
    return seed


def root_from_inclusion_proof(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes:
    """Return the root that `proof` gives leaf `index` of a tree of `size` leaves.

    Requires 0 <= index < size. Raises MalformedProofError.
    """
    if not 0 <= index < size:
        raise MalformedProofError(f"index {index} out of range for tree size {size}")
    _check_hash("leaf hash", leaf_hash)
    inner, border = _decompose(index, size)
    _check_hashes("proof", proof, inner + border)
    return _chain_border(_chain(leaf_hash, proof[:inner], index), proof[inner:])


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that `leaf_hash` is leaf `index` of the tree (`size`, `root`).

    Requires 0 <= index < size. Raises MalformedProofError, RootMismatchError.
    """
    calculated = root_from_inclusion_proof(leaf_hash, index, size, proof)
    if calculated != root:
        raise RootMismatchError(expected=root, calculated=calculated)


def root_from_consistency_proof(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes
) -> bytes:
    """Return the root at `new_size` that `proof` grows (`old_size`, `old_root`) into.

    Requires 0 < old_size <= new_size; equal sizes need an empty proof and give old_root.
    Raises MalformedProofError, ConsistencyError (the tree shrank), RootMismatchError (the
    proof does not rebuild `old_root`).
    """
    if old_size < 0 or new_size < 0:
        raise MalformedProofError(f"tree sizes {old_size} and {new_size} must not be negative")
    if new_size < old_size:
        raise ConsistencyError(f"new size {new_size} is smaller than old size {old_size}")
    if old_size == 0:
        raise MalformedProofError(
            f"old size 0 out of range for new size {new_size}: no proof from the empty tree"
        )
    if old_size == new_size:
        _check_hashes("proof", proof, 0)
        return old_root
    # The proof is PATH(old_size - 1, D[new_size]) from level `shift` up, led by the root of
    # the old tree's last complete subtree unless that is the whole old tree (old_size a
    # power of two): the verifier has that root already.
    inner, border = _decompose(old_size - 1, new_size)
    shift = (old_size & -old_size).bit_length() - 1
    inner, start = inner - shift, 0 if old_size == 1 << shift else 1
    _check_hashes("proof", proof, start + inner + border)
    seed, path, mask = proof[0] if start else old_root, proof[start:], (old_size - 1) >> shift
    # (1) The left siblings alone must rebuild the old root.
    calculated = _chain_border(_chain(seed, path[:inner], mask, left_only=True), path[inner:])
    if calculated != old_root:
        raise RootMismatchError(expected=old_root, calculated=calculated, what="old root mismatch")
    # (2) All siblings give the new root.
    return _chain_border(_chain(seed, path[:inner], mask), path[inner:])


def verify_consistency(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes
) -> None:
    """Check that the tree (`new_size`, `new_root`) extends (`old_size`, `old_root`).

    Requires 0 < old_size <= new_size. Raises MalformedProofError, ConsistencyError,
    RootMismatchError.
    """
    calculated = root_from_consistency_proof(old_size, new_size, proof, old_root)
    if calculated != new_root:
        raise RootMismatchError(expected=new_root, calculated=calculated, what="new root mismatch")


# -- reference: the plain RFC 6962 §2.1 recursions, for tests ----------------------------------


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """Return MTH(D[n]) over these leaf hashes."""
    n = len(leaf_hashes)
    if n <= 1:
        return leaf_hashes[0] if n else EMPTY_ROOT
    k = _split(n)
    return node_hash(root_of(leaf_hashes[:k]), root_of(leaf_hashes[k:]))


def inclusion_proof_of(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """Return PATH(index, D[n]). Requires 0 <= index < n."""
    n = len(leaf_hashes)
    if not 0 <= index < n:
        raise MalformedProofError(f"index {index} out of range for tree size {n}")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_proof_of(leaf_hashes[:k], index), root_of(leaf_hashes[k:])]
    return [*inclusion_proof_of(leaf_hashes[k:], index - k), root_of(leaf_hashes[:k])]


def consistency_proof_of(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """Return PROOF(old_size, D[n]). Requires 0 < old_size <= n."""
    n = len(leaf_hashes)
    if not 0 < old_size <= n:
        raise MalformedProofError(f"old size {old_size} out of range for new size {n}")

    def subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
        if m == len(leaves):
            return [] if complete else [root_of(leaves)]
        k = _split(len(leaves))
        if m <= k:
            return [*subproof(m, leaves[:k], complete), root_of(leaves[k:])]
        return [*subproof(m - k, leaves[k:], False), root_of(leaves[:k])]

    return subproof(old_size, leaf_hashes, True)
