using System.Collections.Concurrent;
using Cetus.ApiServer.Protobuf.Schema;
using Google.Protobuf.Reflection;

namespace Cetus.ApiServer.Protobuf;

/// <summary>
/// How one field of a Kubernetes message is written as JSON, from the Go facts the generated .proto carries:
/// <c>optional</c> for a Go pointer, and the (cetus.k8s.*) options of k8s_json.proto for the json tag.
/// </summary>
internal sealed record KubeFieldPlan(FieldDescriptor Field, string JsonName, bool Pointer, bool Always, bool Inline)
{
    private static readonly ConcurrentDictionary<MessageDescriptor, KubeFieldPlan[]> Plans = new();

    /// <summary>The message's fields in Go struct order, which is the order Go writes them.</summary>
    public static KubeFieldPlan[] For(MessageDescriptor message) => Plans.GetOrAdd(message, Build);

    /// <summary>Whether the message stands for a Go named slice and is written as a bare array.</summary>
    public static bool IsArray(MessageDescriptor message) =>
        message.GetOptions()?.GetExtension(K8SJsonExtensions.JsonArray) == true;

    private static KubeFieldPlan[] Build(MessageDescriptor message) =>
        message.Fields.InDeclarationOrder().Select(field =>
        {
            var options = field.GetOptions();
            // proto3 `optional` puts the field in a synthetic oneof of its own: that is how a Go pointer was written.
            var pointer = field.ContainingOneof is { IsSynthetic: true };
            return new KubeFieldPlan(
                field,
                field.JsonName,
                pointer,
                options?.GetExtension(K8SJsonExtensions.JsonAlways) == true,
                options?.GetExtension(K8SJsonExtensions.JsonInline) == true);
        }).ToArray();
}
