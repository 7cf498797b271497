using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cetus.Kubelet.Bootstrap;
using k8s;
using k8s.Models;
using Xunit;

namespace Cetus.Kubelet.Tests.Bootstrap;

/// <summary>
/// The node client certificate's renewal while the agent runs: when (70-90 % of the lifetime), what it asks for (a
/// new key, the kubelet client signer), what it writes (the kubeconfig and key, 0600) and that failures are retried.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ClientCertificateRotationTests : IDisposable
{
    private static readonly DateTimeOffset Start = FakeCsrApi.Start;
    private readonly string _directory = Directory.CreateTempSubdirectory("cetus-rotation-").FullName;
    private readonly MovableTime _time = new(Start);
    private readonly FakeCsrApi _api;
    private readonly Kubernetes _client;
    private readonly ECDsa _firstKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _first;

    public ClientCertificateRotationTests()
    {
        _api = new FakeCsrApi(_time);
        _client = new Kubernetes(new KubernetesClientConfiguration { Host = "http://api.invalid" }, _api);
        // The certificate the node joined with: ten days from Start.
        var request = new CertificateRequest(new X500DistinguishedName("O=system:nodes, CN=system:node:w1"), _firstKey, HashAlgorithmName.SHA256);
        _first = request.Create(_api.Ca, Start, Start.AddDays(10), [0x01, 0x02, 0x03]);
        File.WriteAllText(Path.Combine(_directory, NodeBootstrap.KubeconfigFile), NodeBootstrap.Kubeconfig("https://127.0.0.1:6443", _api.Ca.ExportCertificatePem(), "system:node:w1", _first.ExportCertificatePem(), _firstKey.ExportPkcs8PrivateKeyPem()));
        File.WriteAllText(Path.Combine(_directory, NodeBootstrap.KeyFile), _firstKey.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose()
    {
        _client.Dispose();
        _api.Ca.Dispose();
        _first.Dispose();
        _firstKey.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData(0.0, 7.0)]
    [InlineData(0.5, 8.0)]
    [InlineData(0.999, 8.998)]
    public void Deadline_IsBetween70And90PercentOfTheLifetime(double jitter, double days)
    {
        var deadline = ClientCertificateRotation.Deadline(Start, Start.AddDays(10), jitter);

        Assert.Equal(Start.AddDays(days), deadline, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Rotate_AsksWithANewKey_ReplacesTheFiles_AndSwitchesTheCurrentCertificate()
    {
        using var rotation = new ClientCertificateRotation(Options());
        Assert.Equal(_first.SerialNumber, rotation.Current.SerialNumber);
        X509Certificate2? announced = null;
        rotation.Rotated += c => announced = c;

        var renewed = await rotation.RotateAsync(_client, CancellationToken.None);

        var csr = Assert.Single(_api.Created);
        Assert.Equal("kubernetes.io/kube-apiserver-client-kubelet", csr.Spec.SignerName);
        Assert.Equal(["digital signature", "client auth"], csr.Spec.Usages);
        var request = CertificateRequest.LoadSigningRequestPem(Encoding.ASCII.GetString(csr.Spec.Request), HashAlgorithmName.SHA256);
        Assert.Equal("O=system:nodes, CN=system:node:w1", request.SubjectName.Name);
        Assert.False(request.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(_firstKey.ExportSubjectPublicKeyInfo()));

        Assert.NotEqual(_first.SerialNumber, renewed.SerialNumber);
        Assert.True(renewed.HasPrivateKey);
        Assert.Same(renewed, rotation.Current);
        Assert.Same(renewed, announced);
        var kubeconfig = Path.Combine(_directory, NodeBootstrap.KubeconfigFile);
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
        using var written = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(Convert.FromBase64String(config.ClientCertificateData!)));
        Assert.Equal(renewed.SerialNumber, written.SerialNumber);
        using var writtenKey = ECDsa.Create();
        writtenKey.ImportFromPem(await File.ReadAllTextAsync(Path.Combine(_directory, NodeBootstrap.KeyFile)));
        Assert.True(writtenKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(request.PublicKey.ExportSubjectPublicKeyInfo()));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(kubeconfig));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, NodeBootstrap.KeyFile)));
        Assert.False(File.Exists(kubeconfig + ".tmp"));
    }

    [Fact]
    public async Task Run_AnnouncesTheDeadline_RetriesAFailure_AndRenews()
    {
        using var rotation = new ClientCertificateRotation(Options(), jitter: () => 0.5);
        using var stop = new CancellationTokenSource();
        var progress = new List<string>();
        var denials = 1;
        _api.Answer = csr =>
        {
            if (denials-- > 0)
            {
                csr.Status = new V1CertificateSigningRequestStatus { Conditions = [new V1CertificateSigningRequestCondition { Type = "Denied", Status = "True", Reason = "Test", Message = "once" }] };
            }
            else
            {
                _api.Answer = null;
            }
        };
        rotation.Rotated += _ => stop.Cancel();

        await rotation.RunAsync(_client, progress.Add, stop.Token);

        Assert.Equal($"node client certificate (serial 010203, valid until 2026-01-11T00:00:00Z) will be renewed at 2026-01-09T00:00:00Z", progress[0]);
        Assert.StartsWith("renewing the node client certificate failed, trying again in 2 s: the certificate signing request node-csr-", progress[1], StringComparison.Ordinal);
        Assert.EndsWith("was denied: Test: once", progress[1], StringComparison.Ordinal);
        Assert.StartsWith("node client certificate renewed: serial ", progress[2], StringComparison.Ordinal);
        Assert.Equal(2, _api.Created.Count);
        Assert.NotEqual(_first.SerialNumber, rotation.Current.SerialNumber);
    }

    [Fact]
    public async Task Run_AsksNothingBeforeTheDeadline()
    {
        var clock = new Probes.TimerClock();
        using var rotation = new ClientCertificateRotation(Options() with { Time = clock }, jitter: () => 0.5);
        using var stop = new CancellationTokenSource();
        var rotated = false;
        rotation.Rotated += _ =>
        {
            rotated = true;
            stop.Cancel();
        };

        var running = rotation.RunAsync(_client, null, stop.Token);
        await clock.WaitForTimerAsync(Start.AddDays(8));
        clock.Advance(Start.AddDays(8) - clock.GetUtcNow() - TimeSpan.FromSeconds(1));
        Assert.Empty(_api.Created);
        Assert.False(rotated);

        // At the deadline it asks; each poll of the request waits on the clock.
        clock.Advance(TimeSpan.FromSeconds(1));
        await Probes.TimerClock.WaitUntilAsync(
            () =>
            {
                clock.Advance(TimeSpan.FromMilliseconds(100));
                return rotated;
            },
            "the renewal");
        await running;

        Assert.Single(_api.Created);
        Assert.NotEqual(_first.SerialNumber, rotation.Current.SerialNumber);
    }

    private NodeBootstrapOptions Options() => new()
    {
        ServerUrl = "https://127.0.0.1:6443",
        Token = "unused.0000000000000000",
        CaPem = _api.Ca.ExportCertificatePem(),
        NodeName = "w1",
        Directory = _directory,
        Time = _time,
        Timeout = TimeSpan.FromSeconds(30),
    };
}
