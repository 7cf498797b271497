"""Reads facts out of a Go binary (kubectl): the gzipped FileDescriptorProtos that gogo-protobuf registers, and the
runtime type data (struct fields, Go types, struct tags) that encoding/json reflects over.

Only ELF/amd64 Go >= 1.20 binaries are understood; that is what gcloud's kubectl builds are.
"""
import re
import struct
import zlib

from google.protobuf import descriptor_pb2

GZIP_MAGIC = rb"\x1f\x8b\x08\x00\x00\x00\x00\x00"
STRUCT, PTR, SLICE, ARRAY, MAP, CHAN = 25, 22, 23, 17, 21, 18
# Size of each kind's type descriptor, after which the "uncommon" part (package path) follows.
TYPE_SIZE = {STRUCT: 80, PTR: 56, SLICE: 56, MAP: 88, ARRAY: 72}
BASE_TYPE_SIZE = 48


class GoBinary:
    def __init__(self, path):
        self.data = open(path, "rb").read()
        self.sections = self._sections()
        self.types_base = self.sections[".rodata"][0]
        self.kinds = self._reachable_types()
        self.named = self._named_types()

    def descriptors(self):
        """Every k8s.io FileDescriptorProto embedded in the binary, by file name."""
        files = {}
        for match in re.finditer(GZIP_MAGIC, self.data):
            try:
                raw = zlib.decompressobj(16 + 15).decompress(self.data[match.start():match.start() + 4_000_000])
            except zlib.error:
                continue
            proto = descriptor_pb2.FileDescriptorProto()
            try:
                proto.ParseFromString(raw)
            except Exception:
                continue
            if proto.name.startswith("k8s.io/") and proto.name.endswith(".proto"):
                files[proto.name] = proto
        return files

    def struct_fields(self, pkg, name):
        """[(go name, go type string, json tag, embedded)] of the named struct type, or None when it isn't a struct."""
        t = self._find(pkg, name)
        if t is None or self._kind(t) != STRUCT:
            return None
        fields = []
        pointer, count = self._u64(t + 56), self._u64(t + 64)
        for i in range(count):
            entry = pointer + 24 * i
            field_name, tag, flags = self._name(self._u64(entry))
            field_type = self._u64(entry + 8)
            fields.append((field_name, self._describe(field_type), tag, bool(flags & 8)))
        return fields

    def go_kind(self, pkg, name):
        t = self._find(pkg, name)
        return None if t is None else self._kind(t)

    # ELF and Go runtime layout.

    def _sections(self):
        shoff, = struct.unpack_from("<Q", self.data, 0x28)
        entsize, count, names_index = struct.unpack_from("<HHH", self.data, 0x3A)
        headers = [struct.unpack_from("<IIQQQQ", self.data, shoff + i * entsize) for i in range(count)]
        names_offset = headers[names_index][4]
        sections = {}
        for name, _, _, addr, offset, size in headers:
            start = names_offset + name
            sections[self.data[start:self.data.index(b"\0", start)].decode()] = (addr, offset, size)
        return sections

    def _offset(self, address):
        for addr, offset, size in self.sections.values():
            if addr and addr <= address < addr + size:
                return offset + address - addr
        raise KeyError(hex(address))

    def _u64(self, a):
        return struct.unpack_from("<Q", self.data, self._offset(a))[0]

    def _i32(self, a):
        return struct.unpack_from("<i", self.data, self._offset(a))[0]

    def _byte(self, a):
        return self.data[self._offset(a)]

    def _varint(self, o):
        result, shift = 0, 0
        while True:
            b = self.data[o]
            o += 1
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return result, o

    def _name(self, address):
        o = self._offset(address)
        flags = self.data[o]
        length, o = self._varint(o + 1)
        name = self.data[o:o + length].decode()
        o += length
        tag = ""
        if flags & 2:
            tag_length, o = self._varint(o)
            tag = self.data[o:o + tag_length].decode()
        return name, tag, flags

    def _kind(self, t):
        return self._byte(t + 23) & 0x1F

    def _type_name(self, t):
        name = self._name(self.types_base + self._i32(t + 40))[0]
        return name[1:] if self._byte(t + 20) & 2 else name

    def _describe(self, t):
        kind = self._kind(t)
        if kind == PTR:
            return "*" + self._describe(self._u64(t + 48))
        if kind == SLICE:
            return "[]" + self._describe(self._u64(t + 48))
        if kind == MAP:
            return "map[" + self._describe(self._u64(t + 48)) + "]" + self._describe(self._u64(t + 56))
        return self._type_name(t)

    def _reachable_types(self):
        _, offset, size = self.sections[".typelink"]
        stack = [self.types_base + struct.unpack_from("<i", self.data, offset + 4 * i)[0] for i in range(size // 4)]
        kinds = {}
        while stack:
            t = stack.pop()
            if t in kinds:
                continue
            try:
                kind = self._kind(t)
            except KeyError:
                continue
            kinds[t] = kind
            if kind in (PTR, SLICE, ARRAY, CHAN):
                stack.append(self._u64(t + 48))
            elif kind == MAP:
                stack += [self._u64(t + 48), self._u64(t + 56)]
            elif kind == STRUCT:
                pointer, count = self._u64(t + 56), self._u64(t + 64)
                stack += [self._u64(pointer + 24 * i + 8) for i in range(count)]
        return kinds

    def _named_types(self):
        named = {}
        for t, kind in self.kinds.items():
            if kind == PTR or not self._byte(t + 20) & 1:
                continue
            try:
                pkg = self._name(self.types_base + self._i32(t + TYPE_SIZE.get(kind, BASE_TYPE_SIZE)))[0]
                short = self._type_name(t).split(".", 1)[-1]
            except (KeyError, UnicodeDecodeError, IndexError):
                continue
            named.setdefault((pkg, short), t)
        return named

    def _find(self, pkg, name):
        return self.named.get((pkg, name))
