// Fit view never zooms past 120 %: a small flow should not fill the screen with giant nodes.
export const FIT_MAX_ZOOM = 1.2;
/** The mini map's size on the canvas (px). */
export const MINIMAP_SIZE = { width: 180, height: 120 };
/** Keep the fitted flow clear of the mini map in the bottom-right corner. */
export const FIT_PADDING = { top: "24px", left: "24px", bottom: "24px", right: `${MINIMAP_SIZE.width + 24}px` } as const;
export const FIT_OPTIONS = { maxZoom: FIT_MAX_ZOOM, padding: FIT_PADDING, duration: 200 } as const;
/** The same without animation: the first fit after loading. */
export const FIT_OPTIONS_NOW = { maxZoom: FIT_MAX_ZOOM, padding: FIT_PADDING } as const;
