using System.Text;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources.Secrets;

public sealed class SecretStrategyTests
{
    [Fact]
    public void Create_DefaultsToOpaque_AndFoldsStringDataIntoData()
    {
        var secret = Valid(s =>
        {
            s.Type = null;
            s.StringData = new Dictionary<string, string> { ["password"] = "hunter2", ["user"] = "admin" };
        });

        Assert.Empty(StrategyRun.Create(secret));

        Assert.Equal("Opaque", secret.Type);
        Assert.Null(secret.StringData);
        Assert.Equal("hunter2", Encoding.UTF8.GetString(secret.Data["password"]));
        Assert.Equal("admin", Encoding.UTF8.GetString(secret.Data["user"]));
    }

    public static TheoryData<string, string> Rejected => new()
    {
        { "bad key", "data[my key]: Invalid value: \"my key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')" },
        { "too much data", "data: Too long: may not be more than 1048576 bytes" },
        { "tls without key", "data[tls.key]: Required value" },
        { "token without account", "metadata.annotations[kubernetes.io/service-account.name]: Required value" },
        { "docker config not json", "data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": invalid character 'n' looking for beginning of value" },
        { "basic auth without fields", "data[username]: Required value" },
        { "ssh without key", "data[ssh-privatekey]: Required value" },
    };

    private static readonly Dictionary<string, Action<V1Secret>> Edits = new()
    {
        ["bad key"] = s => s.Data["my key"] = [1],
        ["too much data"] = s => s.Data["big"] = new byte[1024 * 1024],
        ["tls without key"] = s => (s.Type, s.Data) = ("kubernetes.io/tls", new Dictionary<string, byte[]> { ["tls.crt"] = [1] }),
        ["token without account"] = s => s.Type = "kubernetes.io/service-account-token",
        ["docker config not json"] = s => (s.Type, s.Data) = ("kubernetes.io/dockerconfigjson", new Dictionary<string, byte[]> { [".dockerconfigjson"] = "not json"u8.ToArray() }),
        ["basic auth without fields"] = s => (s.Type, s.Data) = ("kubernetes.io/basic-auth", new Dictionary<string, byte[]> { ["token"] = [1] }),
        ["ssh without key"] = s => s.Type = "kubernetes.io/ssh-auth",
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Create_RejectsWithUpstreamMessage(string name, string message)
    {
        Assert.Contains(message, StrategyRun.Create(Valid(Edits[name])));
    }

    [Fact]
    public void Update_TypeIsImmutable()
    {
        var old = StrategyRun.Created(Valid());
        var secret = StrategyRun.Copy(old);
        secret.Type = "example.com/custom";

        Assert.Equal(["type: Invalid value: \"example.com/custom\": field is immutable"], StrategyRun.Update(secret, old));
    }

    [Fact]
    public void Update_ImmutableSecretKeepsItsData()
    {
        var old = StrategyRun.Created(Valid(s => s.Immutable = true));
        var secret = StrategyRun.Copy(old);
        secret.StringData = new Dictionary<string, string> { ["password"] = "changed" };

        Assert.Equal(["data: Forbidden: field is immutable when `immutable` is set"], StrategyRun.Update(secret, old));
    }

    [Fact]
    public void SelectableFields_IncludeType()
    {
        var secret = StrategyRun.Created(Valid());

        Assert.Equal("Opaque", StrategyRun.For<V1Secret>().SelectableFields(secret)["type"]);
    }

    private static V1Secret Valid(Action<V1Secret>? edit = null)
    {
        var secret = new V1Secret { Metadata = Meta.Named("credentials"), Type = "Opaque", Data = new Dictionary<string, byte[]> { ["password"] = "secret"u8.ToArray() } };
        edit?.Invoke(secret);
        return secret;
    }
}
