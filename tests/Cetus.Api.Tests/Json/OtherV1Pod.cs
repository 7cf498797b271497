namespace Cetus.Api.Tests.Json.Other;

/// <summary>A type that shares its name with a KubernetesClient model.</summary>
public sealed class V1Pod
{
    /// <summary>Any value.</summary>
    public string? Note { get; set; }
}
