using Cetus.Storage.Conformance;
using Cetus.Storage.Etcd;
using Cetus.Testing;
using Xunit;

namespace Cetus.Storage.Tests.Etcd;

/// <summary>The conformance suite on a real etcd server that the fixture starts on loopback; each test has its own key prefix.</summary>
public sealed class EtcdConformanceTests(EtcdServerFixture etcd) : StoreConformanceTests, IClassFixture<EtcdServerFixture>
{
    protected override Task<IStore> OpenStoreAsync(StoreOptions options) =>
        Task.FromResult<IStore>(EtcdStore.Connect(etcd.Server.ClientEndpoints, options));
}
