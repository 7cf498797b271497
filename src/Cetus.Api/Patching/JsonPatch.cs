using System.Text;
using System.Text.Json.Nodes;

namespace Cetus.Api.Patching;

/// <summary>
/// JSON Patch (RFC 6902, <c>application/json-patch+json</c>) as kube-apiserver applies it with
/// evanphx/json-patch v4, whose behaviour and error texts clients see. Where v4 departs from the RFC, so
/// does this: <c>replace</c> of a missing object member adds it, <c>copy</c> from a missing member copies
/// null, <c>add</c> to the root path fails, and negative array indices count from the end.
/// </summary>
/// <remarks>
/// Written here rather than taken from Microsoft.AspNetCore.JsonPatch.SystemTextJson: that library patches
/// CLR objects through adapters with ASP.NET's rules and messages, while kube clients depend on the
/// apiserver's (a failed <c>test</c> is "testing value /x failed: test failed", 422).
/// </remarks>
public static partial class JsonPatch
{
    /// <summary>The most operations one patch may hold; kube-apiserver answers 413 beyond it.</summary>
    public const int MaxOperations = 10000;

    /// <summary>kube-apiserver's default limit on bytes added by <c>copy</c> operations (JSONPatchMaxCopyBytes, 3 MiB).</summary>
    public const long DefaultMaxCopyBytes = 3 * 1024 * 1024;

    /// <summary>Applies the operations in order to a copy of <paramref name="original"/>; neither input changes.</summary>
    /// <param name="original">The stored object.</param>
    /// <param name="patch">A JSON array of operations; JSON null is an empty patch, as Go decodes it.</param>
    /// <param name="maxCopyBytes">The limit on bytes that <c>copy</c> operations add; 0 for none.</param>
    /// <returns>The patched document.</returns>
    /// <exception cref="PatchException">The patch is malformed (400), too long (413) or does not apply (422).</exception>
    public static JsonNode Apply(JsonNode original, JsonNode? patch, long maxCopyBytes = DefaultMaxCopyBytes)
    {
        ArgumentNullException.ThrowIfNull(original);
        var operations = Decode(patch);
        var document = original.DeepClone();
        var copied = 0L;
        foreach (var operation in operations)
        {
            document = operation.Kind switch
            {
                "add" => Add(document, operation),
                "remove" => Remove(document, operation),
                "replace" => Replace(document, operation),
                "move" => Move(document, operation),
                "test" => Test(document, operation),
                "copy" => Copy(document, operation, maxCopyBytes, ref copied),
                var kind => throw Invalid($"Unexpected kind: {kind}"),
            };
        }

        return document;
    }

    private static List<JsonPatchOperation> Decode(JsonNode? patch)
    {
        if (patch is null)
        {
            return [];
        }

        if (patch is not JsonArray list)
        {
            throw BadRequest($"json: cannot unmarshal {JsonNodes.UnmarshalKindName(patch)} into Go value of type jsonpatch.Patch");
        }

        var operations = new List<JsonPatchOperation>(list.Count);
        foreach (var item in list)
        {
            if (item is not null and not JsonObject)
            {
                throw BadRequest($"json: cannot unmarshal {JsonNodes.UnmarshalKindName(item)} into Go value of type jsonpatch.Operation");
            }

            operations.Add(new JsonPatchOperation(item as JsonObject));
        }

        if (operations.Count > MaxOperations)
        {
            throw new PatchException(
                PatchErrorKind.RequestEntityTooLarge,
                $"The allowed maximum operations in a JSON patch is {MaxOperations}, got {operations.Count}");
        }

        return operations;
    }

    // The container the pointer's last token is in, and that token; null when a step on the way is
    // missing, null or not a container.
    private static (JsonNode? Container, string Key) Locate(JsonNode document, string path)
    {
        var tokens = JsonPointer.Tokens(path);
        if (tokens is null)
        {
            return (null, "");
        }

        var container = document;
        foreach (var token in tokens.AsSpan(0, tokens.Length - 1))
        {
            if (JsonPatchMember.Get(container, token, out var next) is not null || next is not (JsonObject or JsonArray))
            {
                return (null, "");
            }

            container = next;
        }

        return (container, tokens[^1]);
    }

    private static long SizeOf(JsonNode? value) => value is null ? 0 : Encoding.UTF8.GetByteCount(value.ToJsonString());

    private static PatchException Invalid(string message) => new(PatchErrorKind.Invalid, message);

    private static PatchException BadRequest(string message) => new(PatchErrorKind.BadRequest, message);
}
