using System.Xml.Linq;
using Xunit;

namespace Cetus.Controllers.Tests;

/// <summary>docs ARCHITECTURE: controllers reach the cluster through Cetus.Client only, never the datastore or the API server's code.</summary>
public sealed class DependencyRulesTests
{
    [Theory]
    [InlineData("src/Cetus.Controllers/Cetus.Controllers.csproj")]
    [InlineData("src/Cetus.Client/Cetus.Client.csproj")]
    public void Project_DoesNotReferenceStorageOrApiServer(string project)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Cetus.slnx")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Cetus.slnx not found");
        }

        var references = XDocument.Load(Path.Combine(root, project)).Descendants("ProjectReference").Select(r => (string?)r.Attribute("Include") ?? string.Empty).ToList();

        Assert.DoesNotContain(references, r => r.Contains("Cetus.Storage", StringComparison.Ordinal) || r.Contains("Cetus.ApiServer", StringComparison.Ordinal));
    }
}
