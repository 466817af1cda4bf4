"""Cloud voices: engines that send each sentence to a speech service over HTTP (Viettel AI,
Vbee, FPT.AI, or any OpenAI-compatible `/v1/audio/speech` server) and decode what comes back."""
