using System.Collections.Concurrent;
using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Media;

/// <summary>
/// The audio of a container read from standard input, handed from the one demuxer that can read the pipe (the video
/// source's) to each sink that keeps audio: the source publishes each audio packet, every subscriber gets its own
/// reference in its own queue. A file is read twice instead (<see cref="AudioTrack"/> opens its own demuxer); a pipe
/// can be read only once.
/// </summary>
/// <remarks>
/// Memory stays bounded by the video queues: a sink takes the audio up to each video packet it writes, so what waits
/// in its queue is the audio of the frames between the demuxer and that sink. A subscriber that stops (its sink
/// failed or finished) is dropped with its queue. Packets published before a sink starts wait for it: every sink
/// exists before the source opens.
/// </remarks>
internal sealed unsafe class AudioFeed : IDisposable
{
    private readonly List<Subscription> _subscribers = [];
    private readonly Lock _gate = new();
    private void* _par;

    /// <summary>A feed for <paramref name="source"/> when it can be read only once (standard input, a FIFO, a device) and a sink keeps the audio; null otherwise (files are read again by each sink).</summary>
    public static AudioFeed? For(SourceSpec source, IEnumerable<SinkSpec> sinks) =>
        source is FileSourceSpec { ReadsOnce: true } && LibAv.IsAvailable && sinks.Any(s => s is MediaSinkSpec { Audio: not AudioMode.Drop }) ? new AudioFeed() : null;

    /// <summary>The audio stream's parameters (AVCodecParameters*, the feed's own copy); null until the source found audio.</summary>
    public void* Parameters => _par;

    public Rational TimeBase { get; private set; }

    /// <summary>The video's time origin in the audio's time base (the container's start): subtracted from every packet, as from the video's.</summary>
    public long Origin { get; private set; }

    /// <summary>True once the source has published its last packet (end of input, or it stopped).</summary>
    public bool Completed { get; private set; }

    /// <summary>Called by the source when it opened the input: the audio stream it will publish, if any.</summary>
    public void Open(void* par, Rational timeBase, long origin)
    {
        _par = LibAv.avcodec_parameters_alloc();
        if (_par == null || LibAv.avcodec_parameters_copy(_par, par) < 0) throw new OutOfMemoryException("FFmpeg could not copy the audio parameters");
        (TimeBase, Origin) = (timeBase, origin);
    }

    /// <summary>A queue of every packet published from now on (sinks subscribe before the source opens: all of them).</summary>
    public Subscription Subscribe()
    {
        var s = new Subscription(this);
        lock (_gate) _subscribers.Add(s);
        return s;
    }

    /// <summary>Hands a reference to <paramref name="packet"/> to every subscriber (the caller keeps its own).</summary>
    public void Publish(void* packet)
    {
        lock (_gate)
            foreach (var s in _subscribers)
            {
                void* copy = LibAv.av_packet_clone(packet);
                if (copy == null) throw new OutOfMemoryException("FFmpeg could not reference an audio packet");
                s.Queue.Enqueue((nint)copy);
            }
    }

    /// <summary>No more packets will come.</summary>
    public void Complete() => Completed = true;

    private void Drop(Subscription s)
    {
        lock (_gate) _subscribers.Remove(s);
        s.Free();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var s in _subscribers) s.Free();
            _subscribers.Clear();
        }
        fixed (void** p = &_par) if (_par != null) LibAv.avcodec_parameters_free(p);
    }

    /// <summary>One sink's queue of the feed's packets.</summary>
    public sealed class Subscription(AudioFeed feed) : IDisposable
    {
        internal readonly ConcurrentQueue<nint> Queue = new();

        public AudioFeed Feed => feed;

        /// <summary>The next packet (the caller owns it and frees it with av_packet_free), or false when none is queued now.</summary>
        public bool TryTake(out void* packet)
        {
            bool got = Queue.TryDequeue(out nint p);
            packet = (void*)p;
            return got;
        }

        internal void Free()
        {
            while (Queue.TryDequeue(out nint p)) LibAv.av_packet_free((void**)&p);
        }

        public void Dispose() => feed.Drop(this);
    }
}
