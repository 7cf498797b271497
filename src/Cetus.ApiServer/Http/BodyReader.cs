using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cetus.Api.Json;
using Cetus.Api.Scheme;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Handlers;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace Cetus.ApiServer.Http;

/// <summary>Reads request bodies: size limit, media type, JSON or YAML, and decoding into the resource's type.</summary>
internal static class BodyReader
{
    /// <summary>kube-apiserver's limit for a request body.</summary>
    public const long MaxBodyBytes = 3 * 1024 * 1024;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>Reads the whole body (413 over the limit).</summary>
    public static async Task<byte[]> ReadAsync(HttpContext context)
    {
        var declared = context.Request.ContentLength;
        int read;
        if (declared > MaxBodyBytes)
        {
            throw Problems.TooLarge(MaxBodyBytes);
        }

        if (declared is { } length)
        {
            // The usual case: read straight into an array of the declared size (the server refuses a body that
            // ends before it, or goes on after it).
            var body = new byte[length];
            var filled = 0;
            while (filled < body.Length && (read = await context.Request.Body.ReadAsync(body.AsMemory(filled), context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                filled += read;
            }

            return filled == body.Length ? body : body[..filled];
        }

        // Chunked: gathered through a pooled buffer, up to the limit.
        using var buffer = new MemoryStream();
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    throw Problems.TooLarge(MaxBodyBytes);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Parses a JSON (or YAML, or protobuf) body into a node; 400 when it is not well-formed. A field given twice keeps
    /// its last value, as Kubernetes' decoder does; the duplicates are listed in <paramref name="duplicates"/>.
    /// </summary>
    public static JsonNode ParseNode(byte[] body, string mediaType, List<string>? duplicates = null)
    {
        if (body.Length == 0)
        {
            throw Problems.BadRequest("the request body is empty");
        }

        if (mediaType == Protobuf.KubeProtobuf.MediaType)
        {
            try
            {
                return Protobuf.KubeProtobuf.ToJson(body);
            }
            catch (Protobuf.ProtobufDecodeException e)
            {
                throw Problems.BadRequest(e.Message);
            }
        }

        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            throw Problems.BadRequest("the request body is not valid UTF-8");
        }

        if (mediaType is MediaTypes.Yaml or MediaTypes.ApplyPatch && !LooksLikeJson(body))
        {
            return YamlToJson.Convert(body);
        }

        try
        {
            // One copy of the parsed document for the whole tree, whose values refer to it (the pooled one goes back).
            JsonElement root;
            using (var document = JsonDocument.Parse(body, DocumentOptions))
            {
                root = document.RootElement.Clone();
            }

            return JsonTree.From(root, duplicates) ?? throw Problems.BadRequest("the request body is null");
        }
        catch (JsonException e)
        {
            throw Problems.BadRequest($"couldn't get version/kind; json parse error: {e.Message}");
        }
    }

    /// <summary>
    /// Decodes an object of <paramref name="definition"/>'s kind: kind and apiVersion must match the URL; unknown and
    /// duplicate fields are refused, warned about or dropped as fieldValidation says.
    /// </summary>
    /// <param name="request">The request (field validation, duplicates found while parsing, warnings).</param>
    /// <param name="node">The parsed body.</param>
    /// <param name="definition">The resource.</param>
    /// <param name="jsonBody">The body's bytes when it is JSON that <paramref name="node"/> was parsed from: decoded as they are when nothing had to change.</param>
    public static IKubernetesObject<V1ObjectMeta> DecodeObject(ResourceRequest request, JsonNode node, ResourceDefinition definition, byte[]? jsonBody = null)
    {
        if (node is not JsonObject json)
        {
            throw Problems.BadRequest($"the request body must be a JSON object, not {node.GetValueKind()}");
        }

        var kind = (json["kind"] as JsonValue)?.TryGetValue<string>(out var k) == true ? k : null;
        var apiVersion = (json["apiVersion"] as JsonValue)?.TryGetValue<string>(out var v) == true ? v : null;
        if (string.IsNullOrEmpty(kind) && string.IsNullOrEmpty(apiVersion))
        {
            // Both missing: the URL says what it is, as kube-apiserver's decoder defaults them.
            json = (JsonObject)json.DeepClone();
            json["kind"] = kind = definition.Kind;
            json["apiVersion"] = apiVersion = definition.ApiVersion;
        }

        if (string.IsNullOrEmpty(kind))
        {
            throw Problems.BadRequest($"Object 'Kind' is missing in '{Shorten(json.ToJsonString())}'");
        }

        if (string.IsNullOrEmpty(apiVersion))
        {
            throw Problems.BadRequest($"Object 'apiVersion' is missing in '{Shorten(json.ToJsonString())}'");
        }

        if (kind != definition.Kind || apiVersion != definition.ApiVersion)
        {
            throw Problems.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({definition.ApiVersion})" +
                (kind != definition.Kind ? $", or the kind in the data ({kind}) does not match the expected kind ({definition.Kind})" : string.Empty));
        }

        var bytes = jsonBody is not null && ReferenceEquals(json, node) && request.Duplicates.Count == 0 && !jsonBody.AsSpan().StartsWith("\uFEFF"u8)
            ? jsonBody
            : Encoding.UTF8.GetBytes(json.ToJsonString());
        // Every duplicate and unknown field is one finding, as kube-apiserver's strict decoding collects them: Strict
        // refuses the body naming them all, Warn warns once for each, Ignore drops them.
        var validation = request.FieldValidation;
        var findings = request.Duplicates.ConvertAll(duplicate => $"duplicate field \"{duplicate}\"");
        IKubernetesObject<V1ObjectMeta>? decoded = null;
        if (validation != FieldValidation.Ignore)
        {
            try
            {
                decoded = Decode(bytes, definition, strict: true);
            }
            catch (JsonException e) when (IsStrictnessError(e))
            {
                findings = Findings(json, definition, request.Duplicates, StrictMessage(e));
            }
            catch (JsonException e)
            {
                throw Problems.BadRequest($"{definition.Kind} in version \"{definition.Version}\" cannot be handled as a {definition.Kind}: {e.Message}");
            }

            if (findings.Count > 0 && validation == FieldValidation.Strict)
            {
                throw Problems.BadRequest($"{definition.Kind} in version \"{definition.Version}\" cannot be handled as a {definition.Kind}: strict decoding error: {string.Join(", ", findings)}");
            }

            request.Warnings.AddRange(findings);
        }

        try
        {
            // Decoded strictly already when nothing was unknown (duplicates were dropped from the bytes decoded).
            return decoded ?? Decode(bytes, definition, strict: false);
        }
        catch (JsonException e)
        {
            throw Problems.BadRequest($"{definition.Kind} in version \"{definition.Version}\" cannot be handled as a {definition.Kind}: {e.Message}");
        }
    }

    // The findings in a body the strict deserializer refused for `first`: every unknown field and duplicate, found by
    // walking the body (UnknownFields); the duplicates and `first` alone when the walk does not find `first` too (a
    // type it reads otherwise).
    private static List<string> Findings(JsonObject json, ResourceDefinition definition, List<string> duplicates, string first)
    {
        var all = first.StartsWith("unknown field ", StringComparison.Ordinal) ? UnknownFields.Of(json, definition.Type, duplicates) : [];
        return all.Contains(first) ? all : [.. duplicates.Select(d => $"duplicate field \"{d}\""), first];
    }

    /// <summary>Decodes JSON the server built itself (a merge result): no field validation, 500-free errors as 422.</summary>
    public static IKubernetesObject<V1ObjectMeta> DecodeTrusted(JsonNode node, ResourceDefinition definition)
    {
        try
        {
            return Decode(Encoding.UTF8.GetBytes(node.ToJsonString()), definition, strict: false);
        }
        catch (JsonException e)
        {
            throw Problems.Invalid(definition.Group, definition.Kind, (node["metadata"]?["name"] as JsonValue)?.ToString() ?? string.Empty, [new Cetus.Api.Scheme.FieldError(Cetus.Api.Scheme.FieldErrorType.FieldValueInvalid, "patch", $"patch: Invalid value: {e.Message}")]);
        }
    }

    private static IKubernetesObject<V1ObjectMeta> Decode(byte[] bytes, ResourceDefinition definition, bool strict)
    {
        try
        {
            var item = (IKubernetesObject<V1ObjectMeta>?)KubeJson.Deserialize(bytes, definition.Type, strict) ?? throw new JsonException("the object is null");
            item.Metadata ??= new V1ObjectMeta();
            // Go decodes a null map value to "": a label or annotation is never null.
            foreach (var map in new[] { item.Metadata.Labels, item.Metadata.Annotations })
            {
                foreach (var key in map?.Where(p => p.Value is null).Select(p => p.Key).ToList() ?? [])
                {
                    map![key] = string.Empty;
                }
            }
            return item;
        }
        catch (Exception e) when (e is not (JsonException or OutOfMemoryException or OperationCanceledException))
        {
            // The model's converters (quantities, int-or-string, timestamps) throw all sorts for malformed values.
            throw new JsonException(e.Message, e);
        }
    }

    private static bool IsStrictnessError(JsonException e) =>
        e.Message.Contains("could not be mapped", StringComparison.Ordinal) || e.Message.Contains("Duplicate property", StringComparison.Ordinal);

    private static string StrictMessage(JsonException e)
    {
        var path = (e.Path ?? "$").TrimStart('$').TrimStart('.');
        if (e.Message.Contains("Duplicate property", StringComparison.Ordinal))
        {
            return $"duplicate field \"{path}\"";
        }

        // The exception names the member: "The JSON property 'bogus' could not be mapped…".
        var start = e.Message.IndexOf('\'', StringComparison.Ordinal);
        var end = start < 0 ? -1 : e.Message.IndexOf('\'', start + 1);
        var member = start >= 0 && end > start ? e.Message[(start + 1)..end] : path;
        var parent = path.EndsWith(member, StringComparison.Ordinal) ? path[..^member.Length].TrimEnd('.') : path;
        return $"unknown field \"{(parent.Length == 0 ? member : parent + "." + member)}\"";
    }

    private static bool LooksLikeJson(byte[] body)
    {
        foreach (var b in body)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                continue;
            }

            return b == (byte)'{';
        }

        return false;
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
