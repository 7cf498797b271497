using System.Xml.Linq;
using Xunit;

namespace Cetus.Kubelet.Tests;

/// <summary>docs ARCHITECTURE: the kubelet reaches the cluster through Cetus.Client only (Cetus.Api gives it model types, as the stats summary); Cetus.Cri knows nothing of API objects.</summary>
public sealed class DependencyRulesTests
{
    [Fact]
    public void Kubelet_ReferencesOnlyApiTypesClientAndCri()
    {
        Assert.Equal(["../Cetus.Api/Cetus.Api.csproj", "../Cetus.Client/Cetus.Client.csproj", "../Cetus.Cri/Cetus.Cri.csproj"], References("src/Cetus.Kubelet/Cetus.Kubelet.csproj"));
    }

    [Fact]
    public void Cri_ReferencesNoProject_AndNoKubernetesModels()
    {
        Assert.Empty(References("src/Cetus.Cri/Cetus.Cri.csproj"));
        var packages = XDocument.Load(Path.Combine(Root(), "src/Cetus.Cri/Cetus.Cri.csproj")).Descendants("PackageReference").Select(r => (string?)r.Attribute("Include"));
        Assert.DoesNotContain("KubernetesClient", packages);
    }

    private static List<string> References(string project) =>
        [.. XDocument.Load(Path.Combine(Root(), project)).Descendants("ProjectReference").Select(r => (string?)r.Attribute("Include") ?? string.Empty).Order(StringComparer.Ordinal)];

    private static string Root()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Cetus.slnx")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Cetus.slnx not found");
        }

        return root;
    }
}
