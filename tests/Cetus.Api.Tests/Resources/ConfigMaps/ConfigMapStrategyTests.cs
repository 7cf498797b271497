using System.Text;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources.ConfigMaps;

public sealed class ConfigMapStrategyTests
{
    public static TheoryData<string, string> Rejected => new()
    {
        { "key with slash", "data[a/b]: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')" },
        { "dot-dot key", "data[..]: Invalid value: \"..\": must not be '..'" },
        { "key starting with dots", "binaryData[..cfg]: Invalid value: \"..cfg\": must not start with '..'" },
        { "key in both maps", "data[app.conf]: Invalid value: \"app.conf\": duplicate of key present in binaryData" },
        { "over a megabyte", "[]: Too long: may not be more than 1048576 bytes" },
        { "bad name", "metadata.name: Invalid value: \"Settings\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')" },
    };

    private static readonly Dictionary<string, Action<V1ConfigMap>> Edits = new()
    {
        ["key with slash"] = c => c.Data["a/b"] = "x",
        ["dot-dot key"] = c => c.Data[".."] = "x",
        ["key starting with dots"] = c => c.BinaryData = new Dictionary<string, byte[]> { ["..cfg"] = [1] },
        ["key in both maps"] = c => c.BinaryData = new Dictionary<string, byte[]> { ["app.conf"] = [1] },
        ["over a megabyte"] = c => (c.Data["big"], c.BinaryData) = (new string('x', 1024 * 1024), new Dictionary<string, byte[]> { ["more"] = [1] }),
        ["bad name"] = c => c.Metadata.Name = "Settings",
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Create_RejectsWithUpstreamMessage(string name, string message)
    {
        Assert.Contains(message, StrategyRun.Create(Valid(Edits[name])));
    }

    [Fact]
    public void Create_AcceptsExactlyAMegabyte()
    {
        Assert.Empty(StrategyRun.Create(Valid(c => c.Data["app.conf"] = new string('x', 1024 * 1024))));
    }

    [Fact]
    public void Update_ImmutableConfigMapKeepsItsDataAndFlag()
    {
        var old = StrategyRun.Created(Valid(c => c.Immutable = true));
        var changed = StrategyRun.Copy(old);
        changed.Data["app.conf"] = "other";
        changed.BinaryData = new Dictionary<string, byte[]> { ["logo"] = Encoding.UTF8.GetBytes("png") };
        changed.Immutable = false;

        Assert.Equal(
            [
                "immutable: Forbidden: field is immutable when `immutable` is set",
                "data: Forbidden: field is immutable when `immutable` is set",
                "binaryData: Forbidden: field is immutable when `immutable` is set",
            ],
            StrategyRun.Update(changed, old));
    }

    [Fact]
    public void Update_MutableConfigMapMayChangeAndBecomeImmutable()
    {
        var old = StrategyRun.Created(Valid());
        var changed = StrategyRun.Copy(old);
        changed.Data["app.conf"] = "other";
        changed.Immutable = true;

        Assert.Empty(StrategyRun.Update(changed, old));
    }

    private static V1ConfigMap Valid(Action<V1ConfigMap>? edit = null)
    {
        var configMap = new V1ConfigMap { Metadata = Meta.Named("settings"), Data = new Dictionary<string, string> { ["app.conf"] = "debug=false" } };
        edit?.Invoke(configMap);
        return configMap;
    }
}
