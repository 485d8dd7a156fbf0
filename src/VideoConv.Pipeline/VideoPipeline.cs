using System.Diagnostics;
using System.Threading.Channels;
using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Parallel;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Sinks;
using VideoConv.Pipeline.Sources;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Stages;
using VideoConv.Pipeline.Stats;
using VideoConv.Pipeline.Validation;

namespace VideoConv.Pipeline;

/// <summary>Test seams: replace the source, a sink or the filter factory (fault injection, slow sinks).</summary>
internal sealed record PipelineSeams
{
    public Func<IFrameSource>? Source { get; init; }
    public Func<SinkSpec, int, IFrameSink?>? Sink { get; init; }
    public FilterFactory? Filter { get; init; }
    public TimeSpan SourceGracePeriod { get; init; } = VideoPipeline.DefaultSourceGracePeriod;
}

/// <summary>
/// Source → filter chain → sinks, each stage on its own thread, connected by bounded channels
/// (lossless <c>Wait</c> in batch, <c>DropOldest</c> when live), with pooled frames.
/// </summary>
public sealed class VideoPipeline : IAsyncDisposable, ISinkHost
{
    private readonly PipelineSeams _seams;
    private readonly StageCounters _sourceCounters;
    private readonly StageCounters _filterCounters;
    private readonly StageCounters[] _sinkCounters;
    private readonly LatencyHistogram _latency = new();
    private readonly FilterStage _filter;
    private readonly Channel<Frame> _sourceOut;
    private readonly Channel<Frame>[] _sinkIn;
    private SourceStage? _source;
    private RunControl? _run;
    private long _startTimestamp, _endTimestamp;

    /// <summary>How long a stopped run waits for a source stuck in a blocking read before returning without it (the source then cleans up on its own).</summary>
    internal static readonly TimeSpan DefaultSourceGracePeriod = TimeSpan.FromSeconds(2);
    private int _started;
    private readonly BandScheduler? _scheduler;
    private readonly IPlanarFilter? _planes;

    /// <summary>Whether this run's frames travel as the decoder's planes: <c>space: yuv</c>, or BGR mode fused between the planes (<see cref="FusedBgrFilter"/>).</summary>
    internal bool Planar => _planes is not null;

    /// <summary>With <c>space: yuv</c>: decoder planes copied into packed scratch before filtering (padded rows); 0 otherwise.</summary>
    internal long PlanesCopied => _planes?.CopiedPlanes ?? 0;

    public VideoPipeline(PipelineSpec spec, PipelineOptions options) : this(spec, options, new PipelineSeams()) { }

    internal VideoPipeline(PipelineSpec spec, PipelineOptions options, PipelineSeams seams)
    {
        Spec = spec;
        Options = options;
        _seams = seams;
        bool live = spec.Source.IsLive;
        _sourceCounters = new StageCounters(SourceStage.StageName);
        _sinkCounters = new StageCounters[spec.Sinks.Count];
        _sinkIn = new Channel<Frame>[spec.Sinks.Count];
        for (int i = 0; i < _sinkCounters.Length; i++)
        {
            int k = i;
            _sinkCounters[i] = new StageCounters(SinkName(spec.Sinks[i]), () => _sinkIn[k].Reader.Count);
            int depth = live && spec.Sinks[i] is MediaSinkSpec ? Math.Max(options.QueueCapacity, options.EncoderQueueCapacity) : options.QueueCapacity;
            _sinkIn[i] = FrameChannels.Create(depth, live, _sinkCounters[i]);
        }
        _filterCounters = new StageCounters(FilterStage.StageName, () => _sourceOut!.Reader.Count, () => _filter?.StepTimes() ?? []);
        _sourceOut = FrameChannels.Create(options.QueueCapacity, live, _filterCounters);
        bool sizeFixed = spec.Sinks.Any(s => s is MediaSinkSpec);
        // --threads / threads: this run's own band threads; otherwise the process-wide scheduler (one per core).
        _scheduler = options.Threads is int threads ? new BandScheduler(threads) : null;
        // space: yuv: the chains run on the decoder's planes (Chain is Y's), docs/yuv.md.
        // space: bgr, file → files: the same frames without BGR between the stages where that is exact (FusedBgrFilter).
        _planes = spec.Space == PixelSpace.Yuv ? new PlaneFilter(spec.Chain, spec.U.Steps, spec.V.Steps, _scheduler)
            : seams.Source is null && seams.Sink is null && seams.Filter is null && FusedBgrFilter.Applies(spec)
                ? new FusedBgrFilter(spec.Chain, Media.ColourDescription.Probe(spec.Source as FileSourceSpec), _scheduler)
                : null;
        _filter = new FilterStage(spec.Chain, seams.Filter ?? ((chain, format) => new FilterChain(chain, format, _scheduler)), sizeFixed,
            _sourceOut.Reader, [.. _sinkIn.Select(c => c.Writer)], _filterCounters, _planes, prefill: options.QueueCapacity + 2,
            warmUp: seams.Filter is null);
    }

    public PipelineSpec Spec { get; }
    public PipelineOptions Options { get; }

    /// <summary>Checks everything that can be checked before the first frame; throws <see cref="PipelineSpecException"/>.</summary>
    public static void Validate(PipelineSpec spec, bool overwrite) => SpecValidator.Validate(spec, overwrite);

    /// <summary>
    /// Runs to the end of the source, or until cancelled or stopped from a display (outputs are finalized
    /// either way, and the returned stats have <see cref="PipelineStats.Stopped"/> set); throws
    /// <see cref="PipelineSpecException"/> for a spec that cannot run and <see cref="PipelineStageException"/>
    /// naming the failed stage. Can be called once.
    /// </summary>
    public Task<PipelineStats> RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException("a pipeline runs once; create a new one");
        if (_seams.Source is null) Validate(Spec, Options.Overwrite);
        return RunCoreAsync(cancellationToken);
    }

    private async Task<PipelineStats> RunCoreAsync(CancellationToken cancellationToken)
    {
        using var run = new RunControl(cancellationToken);
        // A container on standard input is read once, by the source: it hands its audio to the sinks (a file is read again by each).
        using var stdinAudio = _seams.Source is null ? Media.AudioFeed.For(Spec.Source, Spec.Sinks) : null;
        var sinks = new List<IFrameSink>();
        IFrameSource? source = null;
        try
        {
            // Said once per run; not when the libraries were switched off on purpose (VIDEOCONV_NO_LIBAV=1).
            if (!FFmpeg.LibAv.IsAvailable && !FFmpeg.LibAv.SwitchedOff && Spec.Sinks.Any(s => s is FileSinkSpec))
                Options.Warning?.Invoke($"the system FFmpeg 5.1 libraries are {(FFmpeg.LibAv.UnavailableReason is { } why ? $"not used ({why})" : "not loaded")}; {FFmpeg.LibAv.Unavailable}");
            bool yuv = _planes is not null; // the source hands over planes; sinks that show pixels convert them
            for (int i = 0; i < Spec.Sinks.Count; i++)
            {
                var sink = _seams.Sink?.Invoke(Spec.Sinks[i], i) ?? FrameSinks.Create(Spec.Sinks[i], Options.Overwrite, this, Spec.Source, stdinAudio);
                // space: yuv: libav file sinks take the planes; every other sink that shows pixels gets BGR, converted once there.
                sinks.Add(yuv && sink is not (LibAvFileSink or DiscardSink) ? new BgrConversionSink(sink) : sink);
            }
            source = _seams.Source?.Invoke()
                ?? (yuv && Spec.Source is FileSourceSpec file ? new LibAvFileSource(file, stdinAudio, planes: true) : FrameSources.Create(Spec.Source, Options, stdinAudio));
            bool realtime = Spec.Source.Realtime && Spec.Source is FileSourceSpec or PatternSourceSpec or ImagesSourceSpec;
            // Elapsed time (and so fps) counts from the first frame read, not from opening the source and sinks.
            var preroll = new Preroll(sinks.Count, () => Interlocked.Exchange(ref _startTimestamp, Stopwatch.GetTimestamp()));
            _source = new SourceStage(source, _sourceOut.Writer, run, _sourceCounters, realtime, _filter.Prepare, preroll,
                wallClock: Spec.Source is CameraSourceSpec or UrlSourceSpec, planar: yuv, prefill: Options.QueueCapacity + 2);
            _filter.Attach(run);
            _run = run;

            var sourceThread = StartThread("videoconv source", _source.Run);
            source = null;   // the source stage owns it now
            var downstream = new List<Task> { StartThread("videoconv filter", _filter.Run) };
            for (int i = 0; i < sinks.Count; i++)
            {
                var sinkStage = new SinkStage(sinks[i], _sinkIn[i].Reader, run, _sinkCounters[i], _latency, () => _source.Fps, preroll, Options.Warning);
                downstream.Add(StartThread($"videoconv {sinkStage.Name}", sinkStage.Run));
            }
            // On stop, end the source's channel at once: downstream drains and finalizes even when the source
            // is blocked in a native read that cannot be interrupted (a FIFO with a silent writer). On failure
            // downstream stops through the fail token instead, and the failing stage's error is what is reported.
            var progress = Options.Progress is null ? null : new Timer(_ => ReportProgress(run), null, 250, 250);
            try
            {
                using (run.StopToken.Register(() => _sourceOut.Writer.TryComplete()))
                {
                    await Task.WhenAll(downstream).ConfigureAwait(false);
                    if (!sourceThread.IsCompleted)
                        await Task.WhenAny(sourceThread, Task.Delay(_seams.SourceGracePeriod)).ConfigureAwait(false);
                }
            }
            finally
            {
                // Waits for a periodic report in flight, so the final report below is the last one.
                if (progress is not null) await progress.DisposeAsync().ConfigureAwait(false);
            }
            Interlocked.Exchange(ref _endTimestamp, Stopwatch.GetTimestamp());
            ReportProgress(run);   // the final figures
        }
        finally
        {
            // Every stage has stopped: return what is still queued, then free native objects.
            FrameChannels.Drain(_sourceOut.Reader);
            foreach (var c in _sinkIn) FrameChannels.Drain(c.Reader);
            foreach (var s in sinks) s.Dispose();
            source?.Dispose();   // only when the run failed to start
            foreach (var p in _filter.Pools) p.Dispose();
            _planes?.Dispose();
            _run = null;
        }
        if (run.Failure is var (stage, error))
            throw new PipelineStageException(stage, $"{stage}: {Describe(error)}", error);
        if (_source?.Broke is { } broke)
            throw new PipelineInputBrokeException(SourceStage.StageName, $"{SourceStage.StageName}: {broke.Message}", broke.FramesRead, broke);
        return Snapshot() with { Stopped = run.StopRequested };
    }

    /// <summary>Swaps the filter chain between two frames; throws <see cref="VideoConv.Core.FilterDefinitionException"/> (keeping the old chain) if the new one cannot apply to the current frames or would change the size of a file sink's frames.</summary>
    public void ReplaceChain(IReadOnlyList<FilterDefinition> chain) => _filter.Replace(chain);

    /// <summary>Current statistics (zeros before the run starts).</summary>
    /// <remarks>
    /// <c>FramesIn</c>: frames the source handed on. <c>FramesOut</c>: frames written by the busiest sink
    /// (with one sink, simply the frames it wrote). <c>Dropped</c>: drops on every queue (live only), so
    /// with one sink <c>FramesIn = FramesOut + Dropped</c>. <c>Fps</c>: <c>FramesOut</c> over elapsed time.
    /// Latency: capture to the end of a sink's write, over all sinks, from a fixed-size histogram.
    /// </remarks>
    public PipelineStats Snapshot()
    {
        long start = Interlocked.Read(ref _startTimestamp), end = Interlocked.Read(ref _endTimestamp);
        double elapsed = start == 0 ? 0 : Stopwatch.GetElapsedTime(start, end != 0 ? end : Stopwatch.GetTimestamp()).TotalSeconds;
        var stages = new List<StageStats>(2 + _sinkCounters.Length) { _sourceCounters.Snapshot(), _filterCounters.Snapshot() };
        long framesOut = 0, dropped = _filterCounters.Dropped;
        foreach (var s in _sinkCounters)
        {
            stages.Add(s.Snapshot());
            framesOut = Math.Max(framesOut, s.Frames);
            dropped += s.Dropped;
        }
        return new PipelineStats(_sourceCounters.Frames, framesOut, dropped, elapsed > 0 ? framesOut / elapsed : 0,
            _latency.Percentile(0.50), _latency.Percentile(0.99), elapsed, _source?.TotalFrames, stages);
    }

    /// <summary>Frames allocated by the run's pools (source pool plus filter output pools): bounded by queue capacities, not run length.</summary>
    internal long FramesAllocated => (_source?.Pool?.Created ?? 0) + _filter.Pools.Sum(p => p.Created);

    /// <summary>Frames taken from the pools and not yet returned (0 after a run: nothing leaked).</summary>
    internal long FramesOutstanding => (_source?.Pool?.Outstanding ?? 0) + _filter.Pools.Sum(p => p.Outstanding);

    void ISinkHost.RequestStop() => _run?.RequestStop();

    (double Fps, double LatencyP50Ms, double LatencyP99Ms, long Dropped) ISinkHost.Figures
    {
        get
        {
            return (_sourceCounters.Snapshot().Fps, _latency.Percentile(0.5), _latency.Percentile(0.99), _filterCounters.Dropped + _sinkCounters.Sum(c => c.Dropped));
        }
    }

    /// <summary>The stage name a sink spec gets in statistics and errors.</summary>
    public static string SinkName(SinkSpec sink) => sink switch
    {
        FileSinkSpec f => $"sink file {f.Path}",
        UrlSinkSpec u => $"sink url {u.Url}",
        DisplaySinkSpec d => $"sink display {d.Title}",
        ImagesSinkSpec i => $"sink images {i.Pattern}",
        DiscardSinkSpec => "sink discard",
        _ => $"sink {sink.GetType().Name}",
    };

    private void ReportProgress(RunControl run)
    {
        try { Options.Progress?.Invoke(Snapshot()); }
        catch (Exception ex) { run.Fail("progress", ex); }
    }

    private static Task StartThread(string name, Action body)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try { body(); done.SetResult(); }
            catch (Exception ex) { done.SetException(ex); }
        }) { IsBackground = true, Name = name };
        thread.Start();
        return done.Task;
    }

    // One line: the cause's message, with the inner cause when it adds something.
    private static string Describe(Exception error)
    {
        // However a writer words it (libav, the ffmpeg command, .NET), a full disk reads the same; the stage names the file.
        if (Files.DiskErrors.IsDiskFull(error)) return "no space left on device";
        string message = error is OpenCvSharp.OpenCVException cv ? $"OpenCV: {cv.ErrMsg}" : error.Message;
        if (error.InnerException is { } inner && !message.Contains(inner.Message, StringComparison.Ordinal)) message += $" ({inner.Message})";
        return message.ReplaceLineEndings(" ").Trim();
    }

    /// <summary>Stops the band threads this pipeline started for <see cref="PipelineOptions.Threads"/> (none otherwise).</summary>
    public ValueTask DisposeAsync()
    {
        _scheduler?.Dispose();
        return ValueTask.CompletedTask;
    }
}
