using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources.ServiceAccounts;

public sealed class ServiceAccountStrategyTests
{
    [Theory]
    [InlineData("builder", null)]
    [InlineData("ci.bot", null)]
    [InlineData("CI", "metadata.name: Invalid value: \"CI\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")]
    [InlineData("", "metadata.name: Required value: name or generateName is required")]
    public void Create_NameIsADnsSubdomain(string name, string? message)
    {
        var errors = StrategyRun.Create(new V1ServiceAccount { Metadata = Meta.Named(name) });

        Assert.Equal(message is null ? [] : [message], errors);
    }

    [Fact]
    public void Create_RejectsBadLabelsAndAMissingNamespace()
    {
        var account = new V1ServiceAccount { Metadata = Meta.Named("builder", ns: null) };
        account.Metadata.Labels = new Dictionary<string, string> { ["team"] = "-a" };

        var errors = StrategyRun.Create(account);

        Assert.Equal(2, errors.Count);
        Assert.Equal("metadata.namespace: Required value", errors[0]);
        Assert.StartsWith("metadata.labels: Invalid value: \"-a\": a valid label must be", errors[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Update_NamespaceIsImmutable_SecretsMayChange()
    {
        var old = StrategyRun.Created(new V1ServiceAccount { Metadata = Meta.Named("builder") });
        var moved = StrategyRun.Copy(old);
        moved.Metadata.NamespaceProperty = "ci";
        var withSecrets = StrategyRun.Copy(old);
        withSecrets.ImagePullSecrets = [new V1LocalObjectReference { Name = "registry" }];

        Assert.Equal(["metadata.namespace: Invalid value: \"ci\": field is immutable"], StrategyRun.Update(moved, old));
        Assert.Empty(StrategyRun.Update(withSecrets, old));
    }
}
