using k8s.Models;

namespace Cetus.Api.Tests.Resources;

/// <summary>Metadata for test objects.</summary>
internal static class Meta
{
    public static V1ObjectMeta Named(string name, string? ns = "default") => new() { Name = name, NamespaceProperty = ns };
}
