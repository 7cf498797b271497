using System.Text;
using Cetus.ApiServer.Security;
using k8s.Models;
using Xunit;

namespace Cetus.ApiServer.Tests.Security;

public sealed class BootstrapTokensTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("abcdef.0123456789abcdef", true)]
    [InlineData("abcdef.0123456789ABCDEF", false)]
    [InlineData("abcde.0123456789abcdef", false)]
    [InlineData("abcdef.0123456789abcde", false)]
    [InlineData("abcdef:0123456789abcdef", false)]
    [InlineData("abcdef.0123456789abcdef ", false)]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.e30.sig", false)]
    public void Parse_AcceptsOnlyTheBootstrapForm(string token, bool valid)
    {
        var parsed = BootstrapTokens.Parse(token);

        Assert.Equal(valid, parsed is not null);
        if (valid)
        {
            Assert.Equal(("abcdef", "0123456789abcdef"), parsed!.Value);
        }
    }

    [Fact]
    public void Generate_MakesParsableTokens_AndTheirSecretAuthenticates()
    {
        var (id, secret) = BootstrapTokens.Generate();
        var stored = BootstrapTokens.ToSecret(id, secret, Now.AddHours(24), "test", ["system:bootstrappers:workers"]);

        var (user, error) = BootstrapTokens.Authenticate(id, secret, stored, Now);

        Assert.Equal((id, secret), BootstrapTokens.Parse($"{id}.{secret}"));
        Assert.Null(error);
        Assert.Equal("system:bootstrap:" + id, user!.Name);
        Assert.Equal(["system:bootstrappers", "system:bootstrappers:workers"], user.Groups);
        Assert.Equal("kube-system", stored.Metadata.NamespaceProperty);
        Assert.Equal("bootstrap-token-" + id, stored.Metadata.Name);
        Assert.Equal("bootstrap.kubernetes.io/token", stored.Type);
        Assert.Equal("2026-01-02T12:00:00Z", Encoding.UTF8.GetString(stored.Data["expiration"]));
        Assert.Equal("true", Encoding.UTF8.GetString(stored.Data["usage-bootstrap-authentication"]));
        Assert.Equal("true", Encoding.UTF8.GetString(stored.Data["usage-bootstrap-signing"]));
    }

    [Fact]
    public void Authenticate_RefusesWrongMissingExpiredOrUnusableTokens()
    {
        const string id = "abcdef";
        const string secret = "0123456789abcdef";
        V1Secret Stored(Action<V1Secret>? change = null)
        {
            var made = BootstrapTokens.ToSecret(id, secret, Now.AddMinutes(1), null, []);
            change?.Invoke(made);
            return made;
        }

        Assert.NotNull(BootstrapTokens.Authenticate(id, secret, Stored(), Now).User);
        Assert.Equal("secret kube-system/bootstrap-token-abcdef not found", BootstrapTokens.Authenticate(id, secret, null, Now).Error);
        Assert.Equal("the token's secret does not match", BootstrapTokens.Authenticate(id, "0123456789abcdee", Stored(), Now).Error);
        Assert.Equal("the token has expired", BootstrapTokens.Authenticate(id, secret, Stored(), Now.AddMinutes(1)).Error);
        Assert.Equal("the token has expired", BootstrapTokens.Authenticate(id, secret, Stored(s => s.Data["expiration"] = "soon"u8.ToArray()), Now).Error);
        Assert.Equal("the token may not be used for authentication", BootstrapTokens.Authenticate(id, secret, Stored(s => s.Data.Remove("usage-bootstrap-authentication")), Now).Error);
        Assert.Contains("not bootstrap.kubernetes.io/token", BootstrapTokens.Authenticate(id, secret, Stored(s => s.Type = "Opaque"), Now).Error, StringComparison.Ordinal);
        Assert.Equal("the token's id does not match its secret", BootstrapTokens.Authenticate(id, secret, Stored(s => s.Data["token-id"] = "zzzzzz"u8.ToArray()), Now).Error);
        Assert.Equal("the token's secret is being deleted", BootstrapTokens.Authenticate(id, secret, Stored(s => s.Metadata.DeletionTimestamp = Now.UtcDateTime), Now).Error);
        Assert.Equal("the token has an invalid extra group system:masters", BootstrapTokens.Authenticate(id, secret, Stored(s => s.Data["auth-extra-groups"] = "system:masters"u8.ToArray()), Now).Error);
    }

    [Fact]
    public void TokenWithoutExpiration_NeverExpires()
    {
        var stored = BootstrapTokens.ToSecret("abcdef", "0123456789abcdef", null, null, []);

        Assert.NotNull(BootstrapTokens.Authenticate("abcdef", "0123456789abcdef", stored, DateTimeOffset.MaxValue).User);
        Assert.False(stored.Data.ContainsKey("expiration"));
    }

    [Theory]
    [InlineData("system:bootstrappers:workers", true)]
    [InlineData("system:bootstrappers:kubeadm:default-node-token", true)]
    [InlineData("system:bootstrappers:", false)]
    [InlineData("system:bootstrappers:Workers", false)]
    [InlineData("system:nodes", false)]
    public void ExtraGroups_MustBeBootstrapperGroups(string group, bool valid) =>
        Assert.Equal(valid, BootstrapTokens.IsValidExtraGroup(group));
}
