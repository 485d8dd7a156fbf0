namespace VideoConv.Pipeline.Tests.Support;

/// <summary>
/// Tests that measure the whole process (allocations, live native objects) or depend on the CPU they get
/// (live streams): xunit runs this collection alone, after the parallel ones.
/// </summary>
[CollectionDefinition(nameof(MeasurementCollection), DisableParallelization = true)]
public sealed class MeasurementCollection;
