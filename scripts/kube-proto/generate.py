#!/usr/bin/env python3
"""Writes Cetus's subset of the Kubernetes protobuf schema (src/Cetus.ApiServer/Protobuf/Protos/k8s/*.proto).

Why generated, and from what: the field names and numbers are facts of the Kubernetes API, and the JSON that the API
server must produce from a protobuf body depends on Go facts that no .proto file states (is the field a pointer, does
its json tag say omitempty or inline, does the JSON name differ). Both are read from the kubectl binary that the tests
drive (v1.32.4): the gzipped FileDescriptorProtos registered by its generated code, and the struct tags that
encoding/json reflects over. The output is proto3 in which `optional` marks a Go pointer, so presence on the wire
means "non-nil" exactly where Go can tell, and plain fields follow Go's omitempty.

Usage: python3 scripts/kube-proto/generate.py [path to kubectl] (needs Debian's python3-protobuf).
To support another kind, add its message to ROOTS and the kind to KubeKinds.cs.
"""
import os
import re
import sys

from gobinary import GoBinary, SLICE

KUBECTL = sys.argv[1] if len(sys.argv) > 1 else "/usr/lib/google-cloud-sdk/bin/kubectl.1.32"
OUT = os.path.join(os.path.dirname(__file__), "../../src/Cetus.ApiServer/Protobuf/Protos")

# The messages of the kinds KubeKinds.cs accepts; everything they reach is written too.
ROOTS = [
    "k8s.io.apimachinery.pkg.runtime.Unknown",
    "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions",
] + ["k8s.io.api.core.v1." + n for n in (
    "Binding", "ConfigMap", "Endpoints", "Event", "Namespace", "Pod", "ResourceQuota", "Secret", "Service",
    "ServiceAccount")] + ["k8s.io.api.apps.v1." + n for n in (
    "ControllerRevision", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet")] + [
    "k8s.io.api.authentication.v1." + n for n in ("SelfSubjectReview", "TokenRequest", "TokenReview")] + [
    "k8s.io.api.authorization.v1." + n for n in (
        "LocalSubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview", "SubjectAccessReview")] + [
    "k8s.io.api.autoscaling.v1.Scale",
    "k8s.io.api.batch.v1.CronJob",
    "k8s.io.api.certificates.v1.CertificateSigningRequest",
    "k8s.io.api.batch.v1.Job",
    "k8s.io.api.coordination.v1.Lease",
    "k8s.io.api.networking.v1.Ingress",
    "k8s.io.api.policy.v1.Eviction",
    "k8s.io.api.policy.v1.PodDisruptionBudget",
    "k8s.io.api.scheduling.v1.PriorityClass",
] + ["k8s.io.api.rbac.v1." + n for n in ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")]

# Messages whose Go type has its own JSON form (KubeWellKnown.cs): their fields are not matched to Go struct fields.
CUSTOM_JSON = {
    "k8s.io.apimachinery.pkg.apis.meta.v1." + n for n in ("Time", "MicroTime", "Duration", "FieldsV1", "Timestamp")
} | {
    "k8s.io.apimachinery.pkg.runtime." + n for n in ("RawExtension", "Unknown", "TypeMeta")
} | {"k8s.io.apimachinery.pkg.api.resource.Quantity", "k8s.io.apimachinery.pkg.util.intstr.IntOrString"}

SCALARS = {1: "double", 2: "float", 3: "int64", 4: "uint64", 5: "int32", 8: "bool", 9: "string", 12: "bytes",
           13: "uint32", 17: "sint32", 18: "sint64"}
TYPE_MESSAGE, LABEL_REPEATED = 11, 3


def file_name(package):
    """k8s.io.api.core.v1 → core_v1.proto; k8s.io.apimachinery.pkg.apis.meta.v1 → meta_v1.proto."""
    parts = package.split(".")
    if parts[2] == "api":
        return f"{parts[3]}_{parts[4]}.proto"
    return {"runtime": "runtime.proto", "resource": "resource.proto", "intstr": "intstr.proto"}.get(
        parts[-1], f"{parts[-2]}_{parts[-1]}.proto")


def csharp_namespace(package):
    return "Cetus.ApiServer.Protobuf.Kube." + file_name(package)[:-len(".proto")].title().replace("_", "")


def go_package(proto_file):
    return os.path.dirname(proto_file.name)


def default_json_name(name):
    """protoc's json_name: underscores dropped, the next letter upper-cased."""
    return re.sub(r"_(.)", lambda m: m.group(1).upper(), name)


class Schema:
    def __init__(self, binary):
        self.binary = binary
        self.messages = {}  # full name → (DescriptorProto, FileDescriptorProto)
        for proto_file in binary.descriptors().values():
            self._index(proto_file.package, proto_file.message_type, proto_file)
        self.warnings = []

    def _index(self, prefix, messages, proto_file):
        for m in messages:
            self.messages[f"{prefix}.{m.name}"] = (m, proto_file)
            self._index(f"{prefix}.{m.name}", m.nested_type, proto_file)

    def closure(self, roots):
        seen, stack = [], list(roots)
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.append(name)
            message, _ = self.messages[name]
            for field in message.field:
                if field.type == TYPE_MESSAGE:
                    stack.append(field.type_name.lstrip("."))
        return [n for n in seen if not self.messages[n][0].options.map_entry]

    def field_type(self, field):
        if field.type == TYPE_MESSAGE:
            target, _ = self.messages[field.type_name.lstrip(".")]
            if target.options.map_entry:
                key, value = target.field
                return f"map<{self.field_type(key)}, {self.field_type(value)}>"
            return field.type_name
        return SCALARS[field.type]

    @staticmethod
    def shorten(text, package):
        """Same-package references without their package, for reading."""
        return text.replace(f".{package}.", "")

    def go_fields(self, full_name, message, proto_file):
        """Proto field number → (go type, json name, omitempty, inline) of the Go struct the message was generated from."""
        if full_name in CUSTOM_JSON:
            return {}, []
        fields = self.binary.struct_fields(go_package(proto_file), message.name)
        if fields is None:
            if self.binary.go_kind(go_package(proto_file), message.name) != SLICE:
                self.warnings.append(f"{full_name}: no Go struct")
            return {}, []
        by_number, order = {}, []
        for go_name, go_type, tag, embedded in fields:
            # The number, not the name: embedded fields are tagged `protobuf:"bytes,1,req"` without one.
            proto = re.search(r'protobuf:"[a-z0-9]+,(\d+),', tag)
            json = re.search(r'json:"([^"]*)"', tag)
            json_parts = json.group(1).split(",") if json else [go_name]
            if not proto:
                if go_type != "v1.TypeMeta":  # kind and apiVersion travel in the envelope, not the message
                    self.warnings.append(f"{full_name}.{go_name}: not in protobuf")
                continue
            json_name = json_parts[0] or (None if embedded else go_name)
            by_number[int(proto.group(1))] = (go_type, json_name, "omitempty" in json_parts[1:], json_name is None)
            order.append(int(proto.group(1)))
        return by_number, order

    def render_message(self, full_name):
        message, proto_file = self.messages[full_name]
        go, order = self.go_fields(full_name, message, proto_file)
        fields = sorted(message.field, key=lambda f: order.index(f.number) if f.number in order else f.number)
        lines = [f"message {message.name} {{"]
        if full_name not in CUSTOM_JSON and self.binary.go_kind(go_package(proto_file), message.name) == SLICE:
            lines.append("  option (cetus.k8s.json_array) = true;")
        for field in fields:
            field_type = self.field_type(field)
            label, options = "", []
            repeated = field.label == LABEL_REPEATED and not field_type.startswith("map<")
            if repeated:
                label = "repeated "
            if go:
                if field.number not in go:
                    self.warnings.append(f"{full_name}.{field.name}: no Go field")
                    continue
                go_type, json_name, omitempty, inline = go[field.number]
                if go_type.startswith("*") and not repeated and not field_type.startswith("map<"):
                    if go_type.startswith(("*[]", "*map[")):
                        self.warnings.append(f"{full_name}.{field.name}: pointer to {go_type}")
                    label = "optional "
                if json_name == "-":
                    self.warnings.append(f"{full_name}.{field.name}: json:\"-\"")
                if inline:
                    options.append("(cetus.k8s.json_inline) = true")
                elif json_name != default_json_name(field.name):
                    options.append(f'json_name = "{json_name}"')
                # A struct value is always written (omitempty never drops one), so the flag matters for the rest.
                value_struct = field.type == TYPE_MESSAGE and not repeated and label != "optional " \
                    and not field_type.startswith("map<")
                if not inline and not omitempty and not value_struct:
                    options.append("(cetus.k8s.json_always) = true")
            suffix = f" [{', '.join(options)}]" if options else ""
            lines.append(f"  {label}{field_type} {field.name} = {field.number}{suffix};")
        lines.append("}")
        return "\n".join(lines)

    def write(self, roots, out):
        names = self.closure(roots)
        by_package = {}
        for name in names:
            by_package.setdefault(self.messages[name][1].package, []).append(name)
        for package, members in sorted(by_package.items()):
            imports = set()
            for name in members:
                for field in self.messages[name][0].field:
                    if field.type == TYPE_MESSAGE:
                        target = self.messages[field.type_name.lstrip(".")]
                        refs = [target] if not target[0].options.map_entry else [
                            self.messages[f.type_name.lstrip(".")] for f in target[0].field if f.type == TYPE_MESSAGE]
                        imports |= {"k8s/" + file_name(p.package) for _, p in refs if p.package != package}
            body = self.shorten("\n\n".join(self.render_message(n) for n in sorted(members)), package)
            if "(cetus.k8s." in body:
                imports.add("cetus/k8s_json.proto")
            text = (
                "// Generated by scripts/kube-proto/generate.py from kubectl v1.32.4: edit the script, not this file.\n"
                "// `optional` marks a Go pointer; (cetus.k8s.*) options carry the Go json tag (see k8s_json.proto).\n"
                'syntax = "proto3";\n\n'
                f"package {package};\n\n"
                + "".join(f'import "{i}";\n' for i in sorted(imports))
                + f'\noption csharp_namespace = "{csharp_namespace(package)}";\n\n'
                + body + "\n")
            path = os.path.join(out, "k8s", file_name(package))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            print(f"{path}: {len(members)} messages")


def main():
    schema = Schema(GoBinary(KUBECTL))
    schema.write(ROOTS, OUT)
    for warning in schema.warnings:
        print("warning:", warning, file=sys.stderr)


if __name__ == "__main__":
    main()
