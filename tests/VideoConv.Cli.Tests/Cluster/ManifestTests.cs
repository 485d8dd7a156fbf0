using k8s;
using k8s.Models;
using VideoConv.Cli.Batch;
using VideoConv.Cli.Tests.Reliability;
using VideoConv.Cli.Tests.TestSupport;

namespace VideoConv.Cli.Tests.Cluster;

/// <summary>
/// deploy/k8s/batch-job.yaml read strictly with the Kubernetes client's own models (an unknown or misspelt field
/// fails), checked for what sharding needs, and its container command lines run through the real binary.
/// </summary>
public sealed class ManifestTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static IList<object> Load() =>
        KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(Repository.Root, "deploy", "k8s", "batch-job.yaml")), null, strict: true);

    private static (V1Job Batch, V1Job Report, V1PersistentVolumeClaim Claim) Parts()
    {
        var docs = Load();
        var jobs = docs.OfType<V1Job>().ToList();
        return (jobs.Single(j => j.Spec.CompletionMode == "Indexed"), jobs.Single(j => j.Spec.CompletionMode != "Indexed"), docs.OfType<V1PersistentVolumeClaim>().Single());
    }

    [Fact]
    public void BatchJob_IsAnIndexedJobWithOneShardPerIndexOnASharedVolume()
    {
        var (batch, report, claim) = Parts();
        var spec = batch.Spec;
        var container = spec.Template.Spec.Containers.Single();
        int shards = int.Parse(container.Env.Single(e => e.Name == ShardSpec.CountVariable).Value);
        Assert.Equal(shards, spec.Completions);
        Assert.Equal(shards, spec.Parallelism);
        Assert.True(spec.BackoffLimitPerIndex > 0);
        Assert.Equal("Failed", spec.PodReplacementPolicy);
        Assert.Equal("Never", spec.Template.Spec.RestartPolicy);
        Assert.DoesNotContain(container.Env, e => e.Name == ShardSpec.IndexVariable);   // Kubernetes sets it per pod
        Assert.Contains("ReadWriteMany", claim.Spec.AccessModes);
        string ClaimOf(V1Job job) => job.Spec.Template.Spec.Volumes.Single(v => v.PersistentVolumeClaim is not null).PersistentVolumeClaim.ClaimName;
        Assert.Equal(claim.Metadata.Name, ClaimOf(batch));
        Assert.Equal(claim.Metadata.Name, ClaimOf(report));
        Assert.Equal(batch.Metadata.Name, report.Spec.Template.Spec.InitContainers[0].Args.Single().Split(' ')[4]);
    }

    /// <summary>The manifest's paths mapped into the test folder: /config → a real config, /data → clips and an output folder.</summary>
    private string[] Local(IList<string> args) =>
        args.Select(a => a == "/config/job.yaml" ? _dir.Combine("config", "job.yaml") : a.StartsWith("/data/", StringComparison.Ordinal) ? _dir.Combine("data", a["/data/".Length..]) : a).ToArray();

    [RequiresFfmpegFact]
    public void ContainerCommandLines_AreOnesVideoconvAccepts()
    {
        var (batch, report, _) = Parts();
        _dir.Write(Path.Combine("config", "job.yaml"), ClusterClips.Config);
        Directory.CreateDirectory(_dir.Combine("data", "in"));
        var clips = Enumerable.Range(0, 3).Select(i => ClusterClips.Make(_dir.Combine("data", "in", $"cam{i}.mp4"), 1)).ToList();
        var container = batch.Spec.Template.Spec.Containers.Single();
        int shards = batch.Spec.Completions!.Value;
        var listed = new List<string>();
        var runs = Enumerable.Range(0, shards).Select(i =>
        {
            var env = new Dictionary<string, string?> { [ShardSpec.IndexVariable] = i.ToString() };
            foreach (var e in container.Env) env[e.Name] = e.Value;
            return new ClusterClips.Shard(_dir.Path, env, [.. Local(container.Args), "--dry-run"]);
        }).ToList();
        for (int i = 0; i < shards; i++)
        {
            using var run = runs[i];
            var result = run.Wait();
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.StartsWith($"shard {i}/{shards}: ", result.StdOut);
            listed.AddRange(result.StdOut.Split('\n').Where(l => l.StartsWith("  run ", StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].TrimEnd(':')));
        }
        Assert.Equal(clips.Select(c => Path.GetFileNameWithoutExtension(c) + ".mkv").Order(), listed.Order());
        Assert.False(Directory.Exists(_dir.Combine("data", "out")));   // a dry run writes nothing

        Directory.CreateDirectory(_dir.Combine("data", "out"));
        var join = VideoconvProcess.Run(_dir.Path, Local(report.Spec.Template.Spec.InitContainers.Single(c => c.Name == "join").Args));
        Assert.True(join.ExitCode == 0, join.ToString());
        var summary = VideoconvProcess.Run(_dir.Path, Local(report.Spec.Template.Spec.Containers.Single().Args));
        Assert.Equal(1, summary.ExitCode);   // accepted, and right to fail: no shard has reported yet
        Assert.Contains("no shard reports", summary.StdErr);
    }
}
