using Cetus.ApiServer.Security;
using Cetus.Testing;
using Xunit;

namespace Cetus.ApiServer.Tests.Security;

public sealed class ClientCertificateValidatorTests : IDisposable
{
    private readonly TempDirectory _dir = new("validator");
    private readonly ClusterPki _pki;

    public ClientCertificateValidatorTests()
    {
        _pki = ClusterPki.LoadOrCreate(_dir.Path, []);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AdminCertificate_IsAccepted_AsSystemAdminInSystemMasters()
    {
        using var admin = _pki.Admin.ToCertificate();

        var result = new ClientCertificateValidator(_pki.CaCertificate).Validate(admin);

        Assert.True(result.IsAuthenticated, result.Rejection);
        Assert.Null(result.Rejection);
        Assert.Equal("system:admin", result.User!.Name);
        Assert.Equal("", result.User.Uid);
        Assert.Equal(["system:masters"], result.User.Groups);
    }

    [Fact]
    public void CertificateFromAnotherCa_IsRejected()
    {
        using var other = new TempDirectory("validator-other");
        var foreign = ClusterPki.LoadOrCreate(other.Path, []);
        using var impostor = foreign.IssueClientCertificate("system:admin", ["system:masters"], TimeSpan.FromDays(1)).ToCertificate();

        var result = new ClientCertificateValidator(_pki.CaCertificate).Validate(impostor);

        Assert.False(result.IsAuthenticated);
        Assert.Null(result.User);
        Assert.Contains("not signed by the cluster CA", result.Rejection, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpiredCertificate_IsRejected()
    {
        using var user = _pki.IssueClientCertificate("alice", [], TimeSpan.FromHours(1)).ToCertificate();
        var later = new ManualTime(DateTimeOffset.UtcNow.AddHours(2));

        var result = new ClientCertificateValidator(_pki.CaCertificate, later).Validate(user);

        Assert.False(result.IsAuthenticated);
        Assert.Contains("expired", result.Rejection, StringComparison.Ordinal);
    }

    [Fact]
    public void AcceptedCertificate_IsRememberedOnlyUntilItExpires()
    {
        using var user = _pki.IssueClientCertificate("alice", ["dev"], TimeSpan.FromHours(1)).ToCertificate();
        var clock = new ManualTime(DateTimeOffset.UtcNow);
        var validator = new ClientCertificateValidator(_pki.CaCertificate, clock);

        var first = validator.Validate(user);
        var again = validator.Validate(user);
        clock.Now = clock.Now.AddHours(2);
        var expired = validator.Validate(user);

        Assert.Equal("alice", first.User!.Name);
        Assert.Equal(["dev"], again.User!.Groups);
        Assert.False(expired.IsAuthenticated);
        Assert.Contains("expired", expired.Rejection, StringComparison.Ordinal);
    }

    [Fact]
    public void ServerOnlyCertificate_IsRejected_ForClientAuthentication()
    {
        var result = new ClientCertificateValidator(_pki.CaCertificate).Validate(_pki.ServingCertificate);

        Assert.False(result.IsAuthenticated);
        Assert.Contains("not valid for", result.Rejection, StringComparison.Ordinal);
    }

    [Fact]
    public void CertificateWithoutGroups_HasNoGroups()
    {
        using var user = _pki.IssueClientCertificate("bob", [], TimeSpan.FromHours(1)).ToCertificate();

        var result = new ClientCertificateValidator(_pki.CaCertificate).Validate(user);

        Assert.Equal("bob", result.User!.Name);
        Assert.Empty(result.User.Groups);
    }
}
