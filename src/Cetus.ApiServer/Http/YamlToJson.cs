using System.Globalization;
using System.Text.Json.Nodes;
using Cetus.ApiServer.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cetus.ApiServer.Http;

/// <summary>Turns a YAML document into JSON nodes, with YAML 1.1 scalars typed as Kubernetes' sigs.k8s.io/yaml does.</summary>
internal static class YamlToJson
{
    public static JsonNode Convert(byte[] body)
    {
        try
        {
            using var reader = new StringReader(System.Text.Encoding.UTF8.GetString(body));
            var stream = new YamlStream();
            stream.Load(reader);
            if (stream.Documents.Count != 1)
            {
                throw Problems.BadRequest($"expected one YAML document, found {stream.Documents.Count}");
            }

            return Node(stream.Documents[0].RootNode, 0) ?? throw Problems.BadRequest("the YAML document is null");
        }
        catch (YamlException e)
        {
            throw Problems.BadRequest($"error converting YAML to JSON: {e.Message}");
        }
    }

    private static JsonNode? Node(YamlNode node, int depth)
    {
        if (depth > 64)
        {
            throw Problems.BadRequest("error converting YAML to JSON: the document is nested too deeply");
        }

        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    obj[((YamlScalarNode)key).Value ?? string.Empty] = Node(value, depth + 1);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(Node(item, depth + 1));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw Problems.BadRequest("error converting YAML to JSON: unsupported YAML node");
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
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

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && text.Any(char.IsDigit))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(text);
    }
}
