import { useMediaQuery } from './useMediaQuery';

/** True below antd's `md` breakpoint (768px): drawer menu, stacked forms, full-width drawers. */
export function useIsMobile(): boolean {
  return useMediaQuery('(max-width: 767.98px)');
}
