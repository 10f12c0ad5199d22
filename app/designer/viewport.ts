// Fit view never zooms past 120 %: a small flow should not fill the screen with giant nodes.
export const FIT_MAX_ZOOM = 1.2;
export const FIT_OPTIONS = { maxZoom: FIT_MAX_ZOOM, duration: 200 } as const;
