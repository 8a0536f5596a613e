#!/usr/bin/env python3
"""ImageJ ROI bytes written by roifile (an independent implementation of ImageJ's RoiEncoder),
pasted as hex literals into Tests/DendrometerIOTests/ImageJROITests.swift:

    pip install roifile && python3 tools/reference/imagej_roi_fixtures.py
"""
import roifile
from roifile import ImagejRoi, ROI_TYPE

polyline = ImagejRoi.frompoints([[10.5, 20.5], [13.25, 18.75], [15.5, 22.5]], name="hand drawn")
polyline.roitype = ROI_TYPE.POLYLINE
polygon = ImagejRoi.frompoints([[2, 2], [12, 2], [12, 8], [2, 8]], name="debris")   # integer points
polygon.roitype = ROI_TYPE.POLYGON
rect = ImagejRoi(roitype=ROI_TYPE.RECT, top=5, left=3, bottom=25, right=13, name="box")
print("roifile", roifile.__version__)
for label, roi in [("polyline", polyline), ("polygon", polygon), ("rect", rect)]:
    print(label, roi.tobytes().hex())
