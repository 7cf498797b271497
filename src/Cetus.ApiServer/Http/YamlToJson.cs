using System.Globalization;
using System.Text.Json.Nodes;
using Cetus.ApiServer.Errors;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Cetus.ApiServer.Http;

/// <summary>
/// Turns a YAML document into JSON nodes, with YAML 1.1 scalars typed as Kubernetes' sigs.k8s.io/yaml does. It reads
/// parser events without recursion, so hostile input is refused with 400 instead of exhausting the stack or memory:
/// nesting is bounded, keys must be scalars, and aliases are refused (they are how YAML bombs multiply).
/// </summary>
internal static class YamlToJson
{
    private const int MaxDepth = 100;

    public static JsonNode Convert(byte[] body)
    {
        try
        {
            using var reader = new StringReader(System.Text.Encoding.UTF8.GetString(body));
            var parser = new Parser(reader);
            var stack = new Stack<(JsonNode Container, string? PendingKey)>();
            JsonNode? root = null;
            var rootSet = false;
            var documents = 0;
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case DocumentStart:
                        if (++documents > 1)
                        {
                            throw Problems.BadRequest("expected one YAML document, found several");
                        }

                        break;
                    case AnchorAlias:
                        throw Problems.BadRequest("error converting YAML to JSON: YAML aliases are not supported");
                    case MappingStart:
                        Push(new JsonObject());
                        break;
                    case SequenceStart:
                        Push(new JsonArray());
                        break;
                    case MappingEnd or SequenceEnd:
                        var (done, _) = stack.Pop();
                        Add(done);
                        break;
                    case Scalar scalar:
                        if (stack.Count > 0 && stack.Peek() is ({ } map, null) && map is JsonObject)
                        {
                            // A scalar in key position of a mapping: remember it for the value that follows.
                            stack.Pop();
                            stack.Push((map, scalar.Value));
                        }
                        else
                        {
                            Add(Value(scalar));
                        }

                        break;
                }
            }

            return rootSet && root is not null ? root : throw Problems.BadRequest("the YAML document is empty");

            void Push(JsonNode container)
            {
                if (stack.Count >= MaxDepth)
                {
                    throw Problems.BadRequest($"error converting YAML to JSON: the document is nested deeper than {MaxDepth} levels");
                }

                if (stack.Count > 0 && stack.Peek() is (JsonObject, null))
                {
                    throw Problems.BadRequest("error converting YAML to JSON: mapping keys must be scalars");
                }

                stack.Push((container, null));
            }

            void Add(JsonNode? value)
            {
                if (stack.Count == 0)
                {
                    root = value;
                    rootSet = true;
                    return;
                }

                var (container, key) = stack.Pop();
                if (container is JsonArray array)
                {
                    array.Add(value);
                    stack.Push((array, null));
                }
                else
                {
                    // A repeated key keeps the last value, as Kubernetes' YAML decoding does.
                    ((JsonObject)container)[key!] = value;
                    stack.Push((container, null));
                }
            }
        }
        catch (YamlException e)
        {
            throw Problems.BadRequest($"error converting YAML to JSON: {e.Message}");
        }
    }

    private static JsonNode? Value(Scalar scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && text.Any(char.IsDigit) && double.IsFinite(real))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(text);
    }
}
