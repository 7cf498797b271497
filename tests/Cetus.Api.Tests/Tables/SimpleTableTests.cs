using System.Text;
using Cetus.Api.Resources.ConfigMaps;
using Cetus.Api.Resources.Endpoints;
using Cetus.Api.Resources.Leases;
using Cetus.Api.Resources.Namespaces;
using Cetus.Api.Resources.PodDisruptionBudgets;
using Cetus.Api.Resources.PriorityClasses;
using Cetus.Api.Resources.Secrets;
using Cetus.Api.Resources.ServiceAccounts;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Tables;

public sealed class SimpleTableTests
{
    private static readonly V1ObjectMeta Meta = new() { Name = "x", CreationTimestamp = TableRow.Ago(TimeSpan.FromDays(400)) };

    [Theory]
    [InlineData("Terminating", "Terminating")]
    [InlineData("Active", "Active")]
    [InlineData(null, "Active")]
    public void Namespace_ShowsPhase(string? phase, string expected)
    {
        var row = new TableRow(new NamespaceTable(), new V1Namespace { Metadata = Meta, Status = phase is null ? null : new V1NamespaceStatus { Phase = phase } });

        Assert.Equal(expected, row["Status"]);
        Assert.Equal("400d", row["Age"]);
    }

    [Fact]
    public void ConfigMap_CountsTextAndBinaryKeys()
    {
        var configMap = new V1ConfigMap
        {
            Metadata = Meta,
            Data = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" },
            BinaryData = new Dictionary<string, byte[]> { ["c"] = [1] },
        };

        Assert.Equal(3L, new TableRow(new ConfigMapTable(), configMap)["Data"]);
        Assert.Equal(0L, new TableRow(new ConfigMapTable(), new V1ConfigMap { Metadata = Meta })["Data"]);
    }

    [Fact]
    public void Secret_ShowsTypeAndKeyCount_WithStringDataMerged()
    {
        var secret = new V1Secret
        {
            Metadata = Meta,
            Type = "kubernetes.io/tls",
            Data = new Dictionary<string, byte[]> { ["tls.crt"] = Encoding.UTF8.GetBytes("c"), ["tls.key"] = Encoding.UTF8.GetBytes("k") },
            StringData = new Dictionary<string, string> { ["tls.key"] = "k2", ["ca.crt"] = "ca" },
        };

        var row = new TableRow(new SecretTable(), secret);

        Assert.Equal("kubernetes.io/tls", row["Type"]);
        Assert.Equal(3L, row["Data"]);
        Assert.Equal("Opaque", new TableRow(new SecretTable(), new V1Secret { Metadata = Meta })["Type"]);
    }

    [Fact]
    public void ServiceAccount_CountsSecrets()
    {
        var account = new V1ServiceAccount { Metadata = Meta, Secrets = [new V1ObjectReference { Name = "a" }, new V1ObjectReference { Name = "b" }] };

        Assert.Equal(2L, new TableRow(new ServiceAccountTable(), account)["Secrets"]);
        Assert.Equal(0L, new TableRow(new ServiceAccountTable(), new V1ServiceAccount { Metadata = Meta })["Secrets"]);
    }

    [Fact]
    public void Lease_ShowsHolderOrEmpty()
    {
        var lease = new V1Lease { Metadata = Meta, Spec = new V1LeaseSpec { HolderIdentity = "cetus-0_1a2b" } };

        Assert.Equal("cetus-0_1a2b", new TableRow(new LeaseTable(), lease)["Holder"]);
        Assert.Equal(string.Empty, new TableRow(new LeaseTable(), new V1Lease { Metadata = Meta })["Holder"]);
    }

    [Fact]
    public void PriorityClass_ShowsValueGlobalDefaultAgeAndPolicy()
    {
        var table = new PriorityClassTable();
        var row = new TableRow(table, new V1PriorityClass { Metadata = Meta, Value = 1000, GlobalDefault = true, PreemptionPolicy = "Never" });

        Assert.Equal(["Name", "Value", "Global-Default", "Age", "PreemptionPolicy"], table.Columns.Select(c => c.Name));
        Assert.Equal(1000, row["Value"]);
        Assert.Equal(true, row["Global-Default"]);
        Assert.Equal("400d", row["Age"]);
        Assert.Equal("Never", row["PreemptionPolicy"]);
    }

    [Fact]
    public void PodDisruptionBudget_ShowsTheSetBoundNAForTheOtherAndAllowedDisruptions()
    {
        var table = new PodDisruptionBudgetTable();
        var percent = new TableRow(table, new V1PodDisruptionBudget
        {
            Metadata = Meta,
            Spec = new V1PodDisruptionBudgetSpec { MinAvailable = "50%" },
            Status = new V1PodDisruptionBudgetStatus { DisruptionsAllowed = 2 },
        });
        var number = new TableRow(table, new V1PodDisruptionBudget { Metadata = Meta, Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = 1 } });

        Assert.Equal(("50%", "N/A", 2L, "400d"), (percent["Min Available"], percent["Max Unavailable"], percent["Allowed Disruptions"], percent["Age"]));
        Assert.Equal(("N/A", "1", 0L), (number["Min Available"], number["Max Unavailable"], number["Allowed Disruptions"]));
    }

    [Fact]
    public void Endpoints_ListsFirstThreeAddressPortsThenHowManyMore()
    {
        var endpoints = new V1Endpoints
        {
            Metadata = Meta,
            Subsets =
            [
                new V1EndpointSubset
                {
                    Addresses = [Address("10.42.0.5"), Address("10.42.0.6")],
                    Ports = [new Corev1EndpointPort { Port = 8080 }, new Corev1EndpointPort { Port = 9090 }],
                },
                new V1EndpointSubset { Addresses = [Address("fd00::9")], Ports = [new Corev1EndpointPort { Port = 80 }] },
            ],
        };

        Assert.Equal("10.42.0.5:8080,10.42.0.6:8080,10.42.0.5:9090 + 2 more...", new TableRow(new EndpointsTable(), endpoints)["Endpoints"]);
    }

    [Theory]
    [InlineData(0, "<none>")]
    [InlineData(1, "[fd00::9]:53")]
    public void Endpoints_NoSubsetsIsNone_AndIPv6IsBracketed(int subsets, string expected)
    {
        var endpoints = new V1Endpoints
        {
            Metadata = Meta,
            Subsets = subsets == 0 ? [] : [new V1EndpointSubset { Addresses = [Address("fd00::9")], Ports = [new Corev1EndpointPort { Port = 53 }] }],
        };

        Assert.Equal(expected, new TableRow(new EndpointsTable(), endpoints)["Endpoints"]);
    }

    [Fact]
    public void Endpoints_HeadlessWithoutPorts_ListsBareIPs()
    {
        var endpoints = new V1Endpoints { Metadata = Meta, Subsets = [new V1EndpointSubset { Addresses = [Address("10.0.0.1"), Address("10.0.0.2")] }] };

        Assert.Equal("10.0.0.1,10.0.0.2", new TableRow(new EndpointsTable(), endpoints)["Endpoints"]);
    }

    private static V1EndpointAddress Address(string ip) => new() { Ip = ip };
}
