using System.Text.Json.Nodes;

namespace Cetus.Api.Patching;

/// <summary>The six operations; each returns the document, which only <c>replace</c> of the root swaps.</summary>
public static partial class JsonPatch
{
    private static JsonNode Add(JsonNode document, JsonPatchOperation operation)
    {
        var path = operation.Path(out var error);
        if (error is not null)
        {
            throw Invalid("add operation failed to decode path: missing value");
        }

        var (container, key) = Locate(document, path!);
        if (container is null)
        {
            throw Invalid($"add operation does not apply: doc is missing path: \"{path}\": missing value");
        }

        if (JsonPatchMember.Add(container, key, operation.Value) is { } addError)
        {
            throw Invalid($"error in add for path: '{path}': {addError}");
        }

        return document;
    }

    private static JsonNode Remove(JsonNode document, JsonPatchOperation operation)
    {
        var path = operation.Path(out var error);
        if (error is not null)
        {
            throw Invalid("remove operation failed to decode path: missing value");
        }

        var (container, key) = Locate(document, path!);
        if (container is null)
        {
            throw Invalid($"remove operation does not apply: doc is missing path: \"{path}\": missing value");
        }

        if (JsonPatchMember.Remove(container, key) is { } removeError)
        {
            throw Invalid($"error in remove for path: '{path}': {removeError}");
        }

        return document;
    }

    private static JsonNode Replace(JsonNode document, JsonPatchOperation operation)
    {
        var path = operation.Path(out var error);
        if (error is not null)
        {
            throw Invalid($"replace operation failed to decode path: {error}");
        }

        if (path!.Length == 0)
        {
            var whole = operation.Value;
            return whole is JsonObject or JsonArray ? whole : throw Invalid("replace operation value must be object or array");
        }

        var (container, key) = Locate(document, path);
        if (container is null)
        {
            throw Invalid($"replace operation does not apply: doc is missing path: {path}: missing value");
        }

        // Upstream only checks that the member can be read, and a missing object member reads as null:
        // replacing it adds it.
        if (JsonPatchMember.Get(container, key, out _) is not null)
        {
            throw Invalid($"replace operation does not apply: doc is missing key: {path}: missing value");
        }

        if (JsonPatchMember.Set(container, key, operation.Value) is { } setError)
        {
            throw Invalid($"error in remove for path: '{path}': {setError}");
        }

        return document;
    }

    private static JsonNode Move(JsonNode document, JsonPatchOperation operation)
    {
        var from = operation.From(out var error);
        if (error is not null)
        {
            throw Invalid($"move operation failed to decode from: {error}");
        }

        var (source, sourceKey) = Locate(document, from!);
        if (source is null)
        {
            throw Invalid($"move operation does not apply: doc is missing from path: {from}: missing value");
        }

        if ((JsonPatchMember.Get(source, sourceKey, out var value) ?? JsonPatchMember.Remove(source, sourceKey)) is { } takeError)
        {
            throw Invalid($"error in move for path: '{sourceKey}': {takeError}");
        }

        var path = operation.Path(out error);
        if (error is not null)
        {
            throw Invalid($"move operation failed to decode path: {error}");
        }

        // The source is already gone, so moving a member into itself finds no destination.
        var (target, key) = Locate(document, path!);
        if (target is null)
        {
            throw Invalid($"move operation does not apply: doc is missing destination path: {path}: missing value");
        }

        if (JsonPatchMember.Add(target, key, JsonNodes.Free(value)) is { } addError)
        {
            throw Invalid($"error in move for path: '{path}': {addError}");
        }

        return document;
    }

    private static JsonNode Test(JsonNode document, JsonPatchOperation operation)
    {
        var path = operation.Path(out var error);
        if (error is not null)
        {
            throw Invalid($"test operation failed to decode path: {error}");
        }

        if (path!.Length == 0)
        {
            return JsonNode.DeepEquals(document, operation.PeekValue) ? document : throw TestFailed(path);
        }

        var (container, key) = Locate(document, path);
        if (container is null)
        {
            throw Invalid($"test operation does not apply: is missing path: {path}: missing value");
        }

        if (JsonPatchMember.Get(container, key, out var actual) is { } getError)
        {
            throw Invalid($"error in test for path: '{path}': {getError}");
        }

        // A missing member and a null one both equal a null or absent value.
        var passed = actual is null
            ? operation.PeekValue is null
            : operation.HasValue && JsonNode.DeepEquals(actual, operation.PeekValue);
        return passed ? document : throw TestFailed(path);
    }

    private static JsonNode Copy(JsonNode document, JsonPatchOperation operation, long maxCopyBytes, ref long copied)
    {
        var from = operation.From(out var error);
        if (error is not null)
        {
            throw Invalid($"copy operation failed to decode from: {error}");
        }

        var (source, sourceKey) = Locate(document, from!);
        if (source is null)
        {
            throw Invalid($"copy operation does not apply: doc is missing from path: {from}: missing value");
        }

        if (JsonPatchMember.Get(source, sourceKey, out var value) is { } getError)
        {
            throw Invalid($"error in copy for from: '{from}': {getError}");
        }

        var path = operation.Path(out error);
        if (error is not null)
        {
            throw Invalid("copy operation failed to decode path: missing value");
        }

        var (target, key) = Locate(document, path!);
        if (target is null)
        {
            throw Invalid($"copy operation does not apply: doc is missing destination path: {path}: missing value");
        }

        // Copies can double a document per operation; kube-apiserver caps what they add in total.
        copied += SizeOf(value);
        if (maxCopyBytes > 0 && copied > maxCopyBytes)
        {
            throw Invalid($"Unable to complete the copy, the accumulated size increase of copy is {copied}, exceeding the limit {maxCopyBytes}");
        }

        if (JsonPatchMember.Add(target, key, value?.DeepClone()) is { } addError)
        {
            throw Invalid($"error while adding value during copy: {addError}");
        }

        return document;
    }

    private static PatchException TestFailed(string path) => Invalid($"testing value {path} failed: test failed");
}
