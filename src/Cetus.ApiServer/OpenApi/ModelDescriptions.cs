using System.Xml;

namespace Cetus.ApiServer.OpenApi;

/// <summary>
/// The upstream API descriptions of the k8s.Models types and properties, from the KubernetesClient package's XML
/// docs, which the build extracts and embeds (see ModelDescriptions.targets).
/// </summary>
internal static class ModelDescriptions
{
    private const string ResourceName = "Cetus.ApiServer.OpenApi.model-descriptions.xml";

    private static readonly Lazy<Dictionary<string, string>> All = new(Load);

    /// <summary>The description of a model type, e.g. <c>V1Pod</c>.</summary>
    public static string? ForType(Type type) => All.Value.GetValueOrDefault(type.Name);

    /// <summary>The description of a model property, by its C# name, e.g. <c>V1Pod</c>, <c>Spec</c>.</summary>
    public static string? ForProperty(Type type, string propertyName) => All.Value.GetValueOrDefault(type.Name + "." + propertyName);

    private static Dictionary<string, string> Load()
    {
        using var stream = typeof(ModelDescriptions).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the embedded resource {ResourceName} is missing");
        var descriptions = new Dictionary<string, string>(StringComparer.Ordinal);
        using var reader = XmlReader.Create(stream, new XmlReaderSettings { IgnoreWhitespace = true, DtdProcessing = DtdProcessing.Prohibit });
        reader.MoveToContent();
        while (!reader.EOF)
        {
            if (reader.NodeType != XmlNodeType.Element || reader.Name != "d")
            {
                reader.Read();
                continue;
            }

            // Reading the content moves the reader past the element, onto the next one.
            var name = reader.GetAttribute("n");
            var text = reader.ReadElementContentAsString();
            if (name is not null && text.Length > 0)
            {
                descriptions[name] = text;
            }
        }

        return descriptions;
    }
}
